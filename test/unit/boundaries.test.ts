// The architecture's boundaries, checked on the sources: the thin layers reach the database only
// through the engine's public entry, and the statecharts and domain rules do no I/O.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|js|mjs)$/.test(entry.name) && !rel.includes(`assets${path.sep}`)) out.push(rel);
  }
  return out;
}

/** Every module a file imports, statically or dynamically, resolved against the repository when relative. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
  return specs.map((s) => (s.startsWith('.') ? path.relative(root, path.resolve(path.dirname(path.join(root, file)), s)).split(path.sep).join('/') : s));
}

describe('import boundaries', () => {
  const thin = ['src/web', 'src/cli', 'bench', 'db/seeds'].flatMap(sources);

  it('finds the files it checks', () => {
    expect(thin.length).toBeGreaterThan(8);
    expect(thin).toContain(path.join('src', 'web', 'api.ts'));
  });

  it.each(thin)('%s never imports src/store, and reaches the engine only through src/engine/index', (file) => {
    const imports = importsOf(file);
    expect(imports.filter((i) => i.startsWith('src/store'))).toEqual([]);
    expect(imports.filter((i) => i.startsWith('src/engine/') && i !== 'src/engine/index')).toEqual([]);
  });

  const IO = /^(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|tls|worker_threads)$|^(knex|pg|sqlite3|express|nodemailer|multer|smtp-server)$|^src\/(store|engine|web|cli|mail)\b/;
  const pure = ['workflows', 'src/domain'].flatMap(sources);

  it.each(pure)('%s imports no I/O', (file) => {
    expect(importsOf(file).filter((i) => IO.test(i))).toEqual([]);
  });

  it('would catch an import of the store and of fs', () => {
    expect(['src/store/db', 'node:fs', 'knex'].filter((i) => IO.test(i))).toHaveLength(3);
  });
});
