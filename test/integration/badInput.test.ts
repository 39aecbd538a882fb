// Issue 7, "Bad input never becomes a 500": each input that once did (NUL bytes, integers past
// PostgreSQL's range, broken multipart, unreadable roster files, odd Excel cells, lone surrogates)
// is answered with a 4xx in the error shape, on SQLite and PostgreSQL, and changes nothing.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBranchesCsv, rosterText } from '../../src/domain/roster';
import { driver, exampleConfig } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, fileForm, setPasswords, signIn, startServer, TINY_PDF, type Answer, type HttpServer, type Session } from '../support/http';

const B01 = '/api/cycles/2020/branches/B01';

/** Every table's rows, hashed, and the stored uploads: what "changes nothing" compares. */
async function snapshot(env: TestEnv): Promise<Record<string, string>> {
  const db = env.services.db;
  const tables: string[] =
    env.dialect === 'postgres'
      ? (await db.raw(`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`)).rows.map((r: { name: string }) => r.name)
      : (await db.raw(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`)).map((r: { name: string }) => r.name);
  const out: Record<string, string> = {};
  for (const t of tables.sort()) {
    const rows = ((await db(t).select('*')) as Record<string, unknown>[]).map((r) => JSON.stringify(r)).sort();
    out[t] = `${rows.length}:${createHash('sha256').update(rows.join('\n')).digest('hex')}`;
  }
  const uploads = path.join(env.dataDir, 'uploads');
  out['(uploads)'] = fs.existsSync(uploads) ? fs.readdirSync(uploads).sort().join(',') : '';
  return out;
}

/** A raw request: the bytes and headers exactly as given. */
async function raw(base: string, method: string, p: string, headers: Record<string, string>, body?: Buffer | string, session?: Session): Promise<Answer> {
  const h: Record<string, string> = { ...headers };
  if (session) {
    h.cookie = `shuping_sid=${session.cookie}`;
    h['x-csrf-token'] = session.csrf;
  }
  const res = await fetch(base + p, { method, headers: h, body: typeof body === 'string' ? body : body ? new Uint8Array(body) : undefined });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A multipart body by hand: `filename` goes into the part's header byte for byte. */
const multipartBody = (parts: { name: string; filename?: Buffer | string; content: Buffer | string }[], boundary = 'XyZ') =>
  Buffer.concat([
    ...parts.flatMap((p) => [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`),
      p.filename === undefined ? Buffer.alloc(0) : Buffer.concat([Buffer.from('; '), Buffer.from(p.filename)]),
      Buffer.from('\r\nContent-Type: application/octet-stream\r\n\r\n'),
      Buffer.from(p.content),
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);

async function workbook(rows: unknown[][], sheet = '支部'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const HEADER = ['code', 'name', 'secretaryName', 'secretaryEmail'];

describe.each(dialects)('bad input on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;
  let office: Session;
  let b01: Session;
  let xlsx: Buffer;
  let oddCells: Buffer;

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const d = driver(env.services);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
    // B01 is preparing its materials: a good report would be accepted, so a refusal is the input's.
    await d.secretary('B01', 'ACKNOWLEDGE', undefined, '2020-11-21T02:00:00Z');
    await setPasswords(env.services);
    http = await startServer(env.services);
    office = await signIn(http.base, 'office@example.org');
    b01 = await signIn(http.base, 'b01@example.org');
    xlsx = await workbook([HEADER, ['B01', '机关第一党支部', '王明', 'b01@example.org']]);
    oddCells = await workbook([
      HEADER,
      ['B01', '机关第一党支部', '王明', 'b01@example.org'],
      ['B02', { formula: 'A1&"x"' }, '李华', 'b02@example.org'], // a formula without a cached result
      ['B03', '工程一部党支部', { error: '#N/A' }, 'b03@example.org'],
      ['B04', '工程二部党支部', '刘洋', true],
    ]);
  });
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  /** A cycle import with this roster file as its branches. */
  const importWith = (filename: string, content: Buffer | string) => {
    const config = { ...exampleConfig(), year: 2021, title: '2021年度述评' };
    delete (config as Record<string, unknown>).branches;
    const form = new FormData();
    form.append('config', new Blob([JSON.stringify(config)], { type: 'application/json' }), 'cycle-2021.json');
    form.append('branches', new Blob([new Uint8Array(Buffer.from(content))]), filename);
    return call(http.base, 'POST', '/api/cycles/import', { session: office, body: form });
  };
  const upload = (body: Buffer, session: Session | null = b01, contentType = 'multipart/form-data; boundary=XyZ') =>
    raw(http.base, 'POST', `${B01}/files`, { 'content-type': contentType }, body, session ?? undefined);

  interface Case {
    name: string;
    run: () => Promise<Answer>;
    status: number;
    /** the field `details.issues[].field` names (API answers) */
    field?: string;
    /** a page: an HTML error page rather than JSON */
    page?: boolean;
  }
  const cases: Case[] = [
    // NUL bytes, which PostgreSQL refuses in text.
    { name: 'NUL in a sign-in email (signed out)', status: 422, field: 'email', run: () => call(http.base, 'POST', '/api/session', { body: { email: 'b01\u0000@example.org', password: 'x' } }) },
    { name: 'NUL in a reset email (signed out)', status: 422, field: 'email', run: () => call(http.base, 'POST', '/api/password/forgot', { body: { email: 'b01@example.org\u0000' } }) },
    { name: 'NUL in a ballot token (API, signed out)', status: 422, field: 'token', run: () => call(http.base, 'POST', '/api/ballots/abcdefghij%00klm', { body: { choice: '满意' } }) },
    { name: 'NUL in a ballot token (page, signed out)', status: 400, page: true, run: () => call(http.base, 'GET', '/ballot/abcdefghij%00klm') },
    { name: 'NUL in a branch code (API)', status: 422, field: 'branch', run: () => call(http.base, 'GET', '/api/cycles/2020/branches/B0%001', { session: office }) },
    { name: 'NUL in a branch code (page)', status: 400, page: true, run: () => call(http.base, 'GET', '/cycles/2020/branches/B0%001', { session: office }) },
    {
      name: 'NUL in a panel member\'s branch code (cycle configuration)', status: 422, field: 'panel.0.branchCode',
      run: () => {
        const config = { ...exampleConfig(), year: 2022 } as unknown as { panel: Record<string, unknown>[] };
        config.panel = [{ ...config.panel[0], branchCode: 'B0\u00001' }, ...config.panel.slice(1)];
        return call(http.base, 'POST', '/api/cycles', { session: office, body: config });
      },
    },
    { name: 'NUL in a file id (download)', status: 422, field: 'id', run: () => call(http.base, 'GET', '/api/files/0123%00', { session: b01 }) },
    { name: 'NUL in a file id (a report\'s evidence)', status: 422, field: 'data.fileIds.0', run: () => call(http.base, 'POST', `${B01}/events`, { session: b01, body: { type: 'SUBMIT_MATERIALS', data: { summary: '述职报告', fileIds: ['0123\u0000'] } } }) },
    { name: 'NUL in a deputy\'s name', status: 422, field: 'deputy.name', run: () => call(http.base, 'PUT', `${B01}/deputy`, { session: b01, body: { deputy: { email: 'deputy@example.org', name: '副\u0000书记' } } }) },
    // Integers past int4.
    { name: 'cycle id 3000000000 (API)', status: 422, field: 'cycle', run: () => call(http.base, 'GET', '/api/cycles/3000000000', { session: office }) },
    { name: 'cycle id 1e20 (API)', status: 422, field: 'cycle', run: () => call(http.base, 'GET', '/api/cycles/1e20', { session: office }) },
    { name: 'cycle id 3000000000 (page)', status: 400, page: true, run: () => call(http.base, 'GET', '/cycles/3000000000', { session: office }) },
    { name: 'cycle id 1e20 (page)', status: 400, page: true, run: () => call(http.base, 'GET', '/cycles/1e20/branches/B01', { session: office }) },
    { name: 'cycle 1e20 in the dashboard\'s query (page)', status: 400, page: true, run: () => call(http.base, 'GET', '/dashboard?cycle=1e20', { session: office }) },
    { name: 'cycle 3000000000 in audit verify\'s query', status: 422, field: 'cycle', run: () => call(http.base, 'GET', '/api/audit/verify?cycle=3000000000', { session: office }) },
    { name: 'mail id abc', status: 422, field: 'id', run: () => call(http.base, 'POST', '/api/mail/abc/retry', { session: office }) },
    { name: 'mail id 1.5', status: 422, field: 'id', run: () => call(http.base, 'POST', '/api/mail/1.5/retry', { session: office }) },
    { name: 'mail id 1e20', status: 422, field: 'id', run: () => call(http.base, 'POST', '/api/mail/1e20/retry', { session: office }) },
    // Multipart.
    { name: 'multipart without a boundary, signed out', status: 401, run: () => upload(Buffer.from('garbage'), null, 'multipart/form-data') },
    { name: 'multipart without a boundary', status: 400, run: () => upload(Buffer.from('garbage'), b01, 'multipart/form-data') },
    { name: 'multipart without a boundary (import)', status: 400, run: () => raw(http.base, 'POST', '/api/cycles/import', { 'content-type': 'multipart/form-data' }, 'x', office) },
    { name: 'multipart truncated', status: 400, run: () => upload(multipartBody([{ name: 'file', filename: 'filename="report.pdf"', content: TINY_PDF }]).subarray(0, 120)) },
    { name: 'multipart with a NUL byte in the file name', status: 400, run: () => upload(multipartBody([{ name: 'file', filename: 'filename="report\u0000.pdf"', content: TINY_PDF }])) },
    { name: 'multipart with a NUL in the file name, percent-encoded', status: 422, field: 'file', run: () => upload(multipartBody([{ name: 'file', filename: "filename*=UTF-8''report%00.pdf", content: TINY_PDF }])) },
    { name: 'multipart with a line break in the file name', status: 422, field: 'file', run: () => call(http.base, 'POST', `${B01}/files`, { session: b01, body: fileForm('file', 'report\n.pdf', TINY_PDF, 'application/pdf') }) },
    // Uploads by content.
    { name: 'a .pdf that is not a PDF', status: 422, field: 'file', run: () => call(http.base, 'POST', `${B01}/files`, { session: b01, body: fileForm('file', 'report.pdf', Buffer.from('MZ\u0090\u0000 not a pdf', 'latin1')) }) },
    { name: 'a .docx that is an .xlsx', status: 422, field: 'file', run: () => call(http.base, 'POST', `${B01}/files`, { session: b01, body: fileForm('file', 'report.docx', xlsx) }) },
    { name: 'a .docx that is a truncated zip', status: 422, field: 'file', run: () => call(http.base, 'POST', `${B01}/files`, { session: b01, body: fileForm('file', 'report.docx', xlsx.subarray(0, 200)) }) },
    // Roster files.
    { name: 'a branches .xlsx that is not a workbook', status: 422, field: 'branches', run: () => importWith('branches.xlsx', 'code,name\nB01,x\n') },
    { name: 'a branches .xlsx that is a truncated zip', status: 422, field: 'branches', run: () => importWith('branches.xlsx', xlsx.subarray(0, Math.floor(xlsx.length / 2))) },
    { name: 'a branches CSV with an unterminated quote', status: 422, field: 'branches[row 3]', run: () => importWith('branches.csv', `${HEADER.join(',')}\nB01,机关第一党支部,王明,b01@example.org\nB02,"机关第二党支部,李华,b02@example.org\n`) },
    { name: 'a branches CSV that is not UTF-8', status: 422, field: 'branches', run: () => importWith('branches.csv', Buffer.concat([Buffer.from(`${HEADER.join(',')}\nB01,`), Buffer.from([0xbb, 0xfa, 0xb9, 0xd8]), Buffer.from(',王明,b01@example.org\n')])) },
    { name: 'Excel: a formula without a result', status: 422, field: 'branches[sheet 支部, row 3, column B]', run: () => importWith('branches.xlsx', oddCells) },
    { name: 'Excel: an error cell', status: 422, field: 'branches[sheet 支部, row 4, column C]', run: () => importWith('branches.xlsx', oddCells) },
    { name: 'Excel: a boolean cell', status: 422, field: 'branches[sheet 支部, row 5, column D]', run: () => importWith('branches.xlsx', oddCells) },
    // Text.
    { name: 'a lone surrogate in a report', status: 422, field: 'data.summary', run: () => call(http.base, 'POST', `${B01}/events`, { session: b01, body: { type: 'SUBMIT_MATERIALS', data: { summary: '述职报告\ud800' } } }) },
    { name: 'a lone low surrogate in a draft comment', status: 422, field: 'comment', run: () => call(http.base, 'PUT', '/api/cycles/2020/branches/B02/score-draft', { session: office, body: { scores: {}, comment: '\udc00' } }) },
    { name: 'a control character in a deputy\'s name', status: 422, field: 'deputy.name', run: () => call(http.base, 'PUT', `${B01}/deputy`, { session: b01, body: { deputy: { email: 'deputy@example.org', name: '副\u0007书记' } } }) },
    // Parsers.
    { name: 'a malformed JSON body', status: 400, run: () => raw(http.base, 'POST', '/api/session', { 'content-type': 'application/json' }, '{"email": "b01@example.org",') },
    { name: 'a JSON body over the limit', status: 413, run: () => raw(http.base, 'POST', '/api/password/forgot', { 'content-type': 'application/json' }, JSON.stringify({ email: 'x'.repeat(1_100_000) })) },
    { name: 'a path that cannot be decoded', status: 400, run: () => call(http.base, 'GET', '/api/cycles/%E0%A4%A', { session: office }) },
    { name: 'NUL in an Idempotency-Key of a batch line', status: 422, field: 'events.0.key', run: () => call(http.base, 'POST', '/api/cycles/2020/events/batch', { session: b01, body: { events: [{ branch: 'B01', type: 'SUBMIT_MATERIALS', data: { summary: '述职报告' }, key: 'k\u0000' }] } }) },
    { name: 'an Idempotency-Key longer than its column', status: 422, field: 'Idempotency-Key', run: () => call(http.base, 'POST', `${B01}/events`, { session: b01, headers: { 'idempotency-key': 'k'.repeat(201) }, body: { type: 'SUBMIT_MATERIALS', data: { summary: '述职报告' } } }) },
  ];

  it.each(cases)('$name → $status', async (c) => {
    const before = await snapshot(env);
    const res = await c.run();
    expect(res.status, res.text.slice(0, 300)).toBe(c.status);
    if (c.page) {
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    } else {
      expect(res.json?.error, res.text.slice(0, 300)).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expect(res.json.error.message).not.toMatch(/\[object Object\]/);
      if (c.field) expect(res.json.error.details.issues.map((i: { field: string }) => i.field)).toContain(c.field);
    }
    expect(await snapshot(env)).toEqual(before);
  });

  it('reads Excel cells as the text the sheet shows: formula results, rich text, hyperlinks, dates as YYYY-MM-DD', async () => {
    const book = await workbook([
      HEADER,
      ['B01', { formula: '"机关"&"第一党支部"', result: '机关第一党支部' }, { richText: [{ text: '王', font: { bold: true } }, { text: '明' }] }, { text: 'b01@example.org', hyperlink: 'mailto:b01@example.org' }],
      ['B02', new Date(Date.UTC(2020, 0, 1)), '李华', 'b02@example.org'],
      [{ formula: 'LEFT("B03",3)', result: 'B03' }, '工程一部党支部', '张伟', 'b03@example.org'],
    ]);
    const text = await rosterText('branches.xlsx', book, 'branches');
    expect(text).not.toMatch(/\[object Object\]|GMT/);
    expect(parseBranchesCsv(text)).toEqual([
      { code: 'B01', name: '机关第一党支部', secretaryName: '王明', secretaryEmail: 'b01@example.org' },
      { code: 'B02', name: '2020-01-01', secretaryName: '李华', secretaryEmail: 'b02@example.org' },
      { code: 'B03', name: '工程一部党支部', secretaryName: '张伟', secretaryEmail: 'b03@example.org' },
    ]);
    // Over HTTP the same workbook is accepted and stored as read.
    const res = await importWith('branches.xlsx', book);
    expect(res.status, res.text).toBe(201);
    const names = await env.services.db('cycle_branches').where({ cycle_id: res.json.cycle.id }).orderBy('code').pluck('name');
    expect(names).toEqual(['机关第一党支部', '2020-01-01', '工程一部党支部']);
  });
});
