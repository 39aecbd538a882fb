// 板块: the segment comes from the configuration (JSON, CSV, Excel) to the branch reviews, `status`
// and the API; the dashboard's segment figures (branches, mean, spread, lowest branch, grades, this
// year beside last) match figures computed here, independently, from the scores given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { driver, exampleConfig, OFFICE } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { configOfYear, runToPublished } from '../support/publish';

const NO_CAP = { bands: [ { grade: '好', min: 90 }, { grade: '较好', min: 80 }, { grade: '一般', min: 70 }, { grade: '差', min: 0 } ] };
const TOTALS_2020: Record<string, number> = { B01: 92, B02: 86.5, B03: 78, B04: 88, B05: 95, B06: 71.5 };
const TOTALS_2019: Record<string, number> = { B01: 85, B02: 90.5, B03: 74, B04: 80 /* B05 exempted */, B06: 83 };

/** The figures computed without the engine: plain arithmetic on the totals and the configuration. */
function expected(totals: Record<string, number>) {
  const branches = (exampleConfig().branches as { code: string; name: string; segment: string }[]);
  const bySegment = new Map<string, { code: string; name: string; score?: number }[]>();
  for (const b of branches) bySegment.set(b.segment, [...(bySegment.get(b.segment) ?? []), { code: b.code, name: b.name, score: totals[b.code] }]);
  const grade = (x: number) => NO_CAP.bands.find((band) => x >= band.min)!.grade;
  return [...bySegment].map(([segment, list]) => {
    const scored = list.filter((b) => b.score !== undefined) as { code: string; name: string; score: number }[];
    const scores = scored.map((b) => b.score);
    const low = [...scored].sort((a, b) => a.score - b.score || a.code.localeCompare(b.code))[0];
    const grades: Record<string, number> = {};
    for (const x of scores) grades[grade(x)] = (grades[grade(x)] ?? 0) + 1;
    return {
      segment,
      branches: list.length,
      scored: scores.length,
      mean: scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100 : null,
      highest: scores.length ? Math.max(...scores) : null,
      spread: scores.length ? Math.max(...scores) - Math.min(...scores) : null,
      lowest: low ? { code: low.code, name: low.name, score: low.score } : null,
      grades,
    };
  });
}

describe.each(dialects)('segments (板块) on %s', (dialect) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const s = env.services;
    const d = driver(s);
    await d.create('2019-11-19T02:00:00Z', configOfYear(exampleConfig(), 2019, { grades: NO_CAP }));
    await runToPublished(s, 2019, TOTALS_2019, 2019);
    await d.create('2020-11-19T02:00:00Z', { grades: NO_CAP });
  }, 120_000);
  afterAll(async () => env?.cleanup());

  it('carries each branch’s segment to status, the branch view and the dashboard rows', async () => {
    const s = env.services;
    const office = await actorByEmail(s.db, OFFICE);
    await s.engine.launchCycle(2020, office, { now: '2020-11-20T02:00:00Z' });
    const st = await s.engine.cycleStatus(2020, office, '2020-11-20T02:00:00Z');
    expect(st.branches.map((b) => [b.code, b.segment])).toEqual([
      ['B01', '机关'], ['B02', '机关'], ['B03', '工程建设板块'], ['B04', '工程建设板块'], ['B05', '国际贸易板块'], ['B06', '设计咨询板块'],
    ]);
    expect((await s.engine.branchView(2020, 'B03', office, '2020-11-20T02:00:00Z')).branch.segment).toBe('工程建设板块');
    expect((await s.engine.branchStatus(2020, 'B05', office, '2020-11-20T02:00:00Z')).branch.segment).toBe('国际贸易板块');
    const dash = await s.engine.dashboard(2020, office, '2020-11-20T02:00:00Z');
    expect(dash.branches.find((b) => b.code === 'B06')!.segment).toBe('设计咨询板块');
    // Before publication: counts only, no score figure.
    expect(dash.segments.map((f) => [f.segment, f.branches, f.mean, f.lowest])).toEqual([
      ['机关', 2, null, null], ['工程建设板块', 2, null, null], ['国际贸易板块', 1, null, null], ['设计咨询板块', 1, null, null],
    ]);
  });

  it('compares the segments after publication, this year beside last, as computed independently', async () => {
    const s = env.services;
    const office = await actorByEmail(s.db, OFFICE);
    await runToPublished(s, 2020, TOTALS_2020, 2020, { launched: true });
    const dash = await s.engine.dashboard(2020, office, '2020-12-21T02:00:00Z');
    const now = expected(TOTALS_2020);
    const last = expected(TOTALS_2019);
    expect(dash.segments).toEqual(now.map((f) => ({ ...f, lastYear: last.find((l) => l.segment === f.segment) ?? null })));
    // Spot checks against hand arithmetic: 机关 (92 + 86.5) / 2 = 89.25, spread 5.5, lowest B02.
    const organs = dash.segments[0];
    expect(organs).toMatchObject({ segment: '机关', mean: 89.25, spread: 5.5, lowest: { code: 'B02', score: 86.5 }, grades: { 好: 1, 较好: 1 } });
    expect(organs.lastYear).toMatchObject({ mean: 87.75, spread: 5.5, lowest: { code: 'B01', score: 85 } });
    // 国际贸易板块: B05 was exempted last year, so last year has the segment with no score.
    expect(dash.segments[2].lastYear).toMatchObject({ branches: 1, scored: 0, mean: null, lowest: null });
  });
});
