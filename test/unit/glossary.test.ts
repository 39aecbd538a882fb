import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { glossary } from '../../workflows/glossary';

describe('workflows/README.md', () => {
  it('matches the machines (run `npm run glossary` after changing a machine)', () => {
    const committed = fs.readFileSync(new URL('../../workflows/README.md', import.meta.url), 'utf8');
    expect(committed).toBe(glossary());
  });
});
