// The cycle wizard's server side: templates to download, a draft made from them (bad rows named, nothing
// imported), previewed with what launching does, edited whole and deleted (marked, its audit kept).
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { exampleConfig, OFFICE, bootstrapOffice } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, setPasswords, signIn, startServer, type HttpServer, type Session } from '../support/http';

async function workbook(buffer: ArrayBuffer | Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as ArrayBuffer);
  return wb;
}

/** The downloaded template filled with `n` branches (and one bad row when asked). */
async function filledBranches(template: Buffer, n: number, badRow?: number): Promise<Buffer> {
  const wb = await workbook(template);
  const ws = wb.worksheets[0];
  ws.spliceRows(2, 1);
  for (let i = 1; i <= n; i++) {
    const code = `B${String(i).padStart(2, '0')}`;
    ws.addRow([code, `第${i}党支部`, `书记${i}`, i === badRow ? 'not-an-email' : `${code.toLowerCase()}@example.org`]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const wizardConfig = (year: number, over: Record<string, unknown> = {}) => {
  const { branches: _b, panel, ...c } = exampleConfig() as Record<string, unknown>;
  return { ...c, year, title: `${year}年度述职评议`, panel, ...over };
};

describe.each(dialects)('drafts from the wizard on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;
  let office: Session;
  let template: Buffer;
  let cycleId: number;

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    await bootstrapOffice(env.services);
    await setPasswords(env.services);
    http = await startServer(env.services);
    office = await signIn(http.base, OFFICE);
  });
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  const upload = (method: string, path: string, config: unknown, branches?: Buffer) => {
    const fd = new FormData();
    fd.append('configText', JSON.stringify(config));
    if (branches) fd.append('branches', new Blob([new Uint8Array(branches)]), '支部名单.xlsx');
    return call(http.base, method, path, { session: office, body: fd });
  };

  it('offers Excel templates with the header row, an example row and the columns explained', async () => {
    for (const [kind, header] of [['branches', ['code', 'name', 'secretaryName', 'secretaryEmail', 'deputyEmail', 'segment']], ['panel', ['email', 'name', 'branchCode']]] as const) {
      const res = await fetch(`${http.base}/api/templates/${kind}.xlsx`, { headers: { cookie: `shuping_sid=${office.cookie}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('spreadsheetml');
      const buf = Buffer.from(await res.arrayBuffer());
      const wb = await workbook(buf);
      expect((wb.worksheets[0].getRow(1).values as unknown[]).slice(1)).toEqual(header);
      expect(wb.worksheets[0].rowCount).toBe(2);
      expect(wb.getWorksheet('说明')).toBeDefined();
      if (kind === 'branches') template = buf;
    }
  });

  it('names a bad row of the filled template and imports nothing; the fixed file makes the draft', async () => {
    const bad = await upload('POST', '/api/cycles/import', wizardConfig(2026), await filledBranches(template, 28, 7));
    expect(bad.status).toBe(422);
    expect(bad.json.error.details.issues).toEqual([expect.objectContaining({ field: expect.stringMatching(/^branches\[.*row 8.*\]\.secretaryEmail$/) })]);
    expect(Number((await env.services.db('cycles').count({ n: '*' }).first())!.n)).toBe(0);
    const ok = await upload('POST', '/api/cycles/import', wizardConfig(2026), await filledBranches(template, 28));
    expect(ok.status, ok.text).toBe(201);
    cycleId = ok.json.cycle.id;
  });

  it('previews the draft: its whole configuration and what launching does, warning of times past', async () => {
    const d = await call(http.base, 'GET', `/api/cycles/${cycleId}/draft`, { session: office });
    expect(d.status, d.text).toBe(200);
    expect(d.json.config.branches).toHaveLength(28);
    expect(d.json.config.topics.length).toBeGreaterThan(0);
    // The example's 2020 deadlines are long past.
    expect(d.json.launch).toMatchObject({ notices: 28, pastDeadlines: ['materials', 'scoring', 'plan', 'followUp'], meetingPast: true });
    expect(d.json.launch.invitations).toBeGreaterThanOrEqual(28);
    const page = await call(http.base, 'GET', `/cycles/${cycleId}/draft`, { session: office });
    expect(page.text).toContain('data-testid="past-deadlines"');
    expect(page.text).toContain('将向 28 个支部发送述评通知');
  });

  it('edits the draft whole: title, deadlines, roster kept when no file is sent; audited', async () => {
    const current = (await call(http.base, 'GET', `/api/cycles/${cycleId}/draft`, { session: office })).json.config;
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
    const edited = { ...current, title: '2026年度述职评议（修订）', deadlines: { materials: inDays(10), scoring: inDays(30), plan: inDays(60), followUp: inDays(200) }, meeting: { ...current.meeting, at: inDays(25) } };
    const a = await upload('PUT', `/api/cycles/${cycleId}/draft`, edited);
    expect(a.status, a.text).toBe(200);
    const d = (await call(http.base, 'GET', `/api/cycles/${cycleId}/draft`, { session: office })).json;
    expect(d.cycle.title).toBe('2026年度述职评议（修订）');
    expect(d.config.branches).toHaveLength(28);
    expect(d.launch.pastDeadlines).toEqual([]);
    const replaced = await upload('PUT', `/api/cycles/${cycleId}/draft`, { ...edited, branches: undefined }, await filledBranches(template, 3));
    expect(replaced.status, replaced.text).toBe(200);
    expect((await call(http.base, 'GET', `/api/cycles/${cycleId}/draft`, { session: office })).json.config.branches).toHaveLength(3);
    expect(await env.services.db('audit').where({ event_type: 'DRAFT_UPDATED', cycle_id: cycleId })).toHaveLength(2);
    const wrong = await upload('PUT', `/api/cycles/${cycleId}/draft`, { ...edited, deadlines: { ...edited.deadlines, scoring: inDays(5) } });
    expect(wrong.status).toBe(422);
    expect(wrong.json.error.details.issues[0].field).toBe('deadlines');
  });

  it('deletes a draft by marking it: gone from the list, its year free again, its audit chain whole', async () => {
    const del = await call(http.base, 'DELETE', `/api/cycles/${cycleId}`, { session: office });
    expect(del.status, del.text).toBe(200);
    expect((await call(http.base, 'GET', '/api/cycles', { session: office })).json.cycles).toEqual([]);
    expect((await call(http.base, 'GET', `/api/cycles/${cycleId}/draft`, { session: office })).status).toBe(404);
    const row = await env.services.db('cycles').where({ id: cycleId }).first();
    expect(row.deleted_at).toBeTruthy();
    expect(await env.services.db('audit').where({ cycle_id: cycleId, event_type: 'DRAFT_DELETED' })).toHaveLength(1);
    const again = await upload('POST', '/api/cycles/import', wizardConfig(2026), await filledBranches(template, 2));
    expect(again.status, again.text).toBe(201);
    expect(again.json.cycle.id).not.toBe(cycleId);
    expect((await env.services.engine.verifyAudit(await actorByEmail(env.services.db, OFFICE))).ok).toBe(true);
  });

  it('refuses to edit or delete a launched cycle', async () => {
    const id = (await call(http.base, 'GET', '/api/cycles', { session: office })).json.cycles[0].id;
    expect((await call(http.base, 'POST', `/api/cycles/${id}/launch`, { session: office })).status).toBe(200);
    expect((await call(http.base, 'DELETE', `/api/cycles/${id}`, { session: office })).status).toBe(409);
    expect((await upload('PUT', `/api/cycles/${id}/draft`, wizardConfig(2026))).status).toBe(409);
  });
});
