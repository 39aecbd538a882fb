// Reading Word documents back in tests: the XML of the body, its text, and LibreOffice's PDF of it.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';

/** Every entry of a zip (a .docx is one). */
export const unzip = (buffer: Buffer): Record<string, Uint8Array> => unzipSync(new Uint8Array(buffer));

/** word/document.xml of a .docx. */
export function documentXml(docx: Buffer): string {
  const xml = unzip(docx)['word/document.xml'];
  if (!xml) throw new Error('no word/document.xml: not a .docx');
  return strFromU8(xml);
}

/** The text of the document's runs, paragraph by paragraph (runs of a paragraph joined). */
export function paragraphsOf(xml: string): string[] {
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) => [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('')).filter(Boolean);
}

export const soffice = (() => {
  for (const bin of ['soffice', 'libreoffice']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0) return bin;
  }
  return null;
})();

/**
 * Converts a .docx to PDF with LibreOffice headless, in a profile of its own (so it never meets
 * another LibreOffice running on the machine); returns the PDF's path.
 */
export function docxToPdf(file: string, outDir: string): string {
  if (!soffice) throw new Error('LibreOffice (soffice) is not installed');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'shuping-lo-'));
  try {
    execFileSync(soffice, [`-env:UserInstallation=file://${profile}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', outDir, file], { timeout: 180_000, stdio: 'pipe' });
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
  const pdf = path.join(outDir, path.basename(file).replace(/\.docx$/, '.pdf'));
  if (!fs.existsSync(pdf)) throw new Error(`LibreOffice made no PDF of ${file}`);
  return pdf;
}
