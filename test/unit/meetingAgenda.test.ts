// The meeting's agenda (issue 10): the roster's order unless the office reordered it; codes the
// order does not name keep their roster order at the end; grouped by segment in the order each
// segment first appears, branches without one last; and the timer derived from stored instants.
import { describe, expect, it } from 'vitest';
import { arrangeAgenda, elapsedAt } from '../../src/engine/meeting';

const roster = [
  { code: 'B01', name: '一', secretary: 'a', segment: '机关', position: 0 },
  { code: 'B02', name: '二', secretary: 'b', segment: '工程', position: 1 },
  { code: 'B03', name: '三', secretary: 'c', segment: null, position: 2 },
  { code: 'B04', name: '四', secretary: 'd', segment: '机关', position: 3 },
  { code: 'B05', name: '五', secretary: 'e', segment: '工程', position: 4 },
];
const codes = (o: { order: string[] | null; grouped: boolean }) => arrangeAgenda(roster, o).map((a) => a.code);

describe('the meeting agenda', () => {
  it('follows the roster, then the office\'s order (unnamed codes after, in roster order)', () => {
    expect(codes({ order: null, grouped: false })).toEqual(['B01', 'B02', 'B03', 'B04', 'B05']);
    expect(codes({ order: ['B04', 'B02'], grouped: false })).toEqual(['B04', 'B02', 'B01', 'B03', 'B05']);
  });

  it('groups by segment in order of first appearance, keeping the order within each, unsegmented last', () => {
    expect(codes({ order: null, grouped: true })).toEqual(['B01', 'B04', 'B02', 'B05', 'B03']);
    expect(codes({ order: ['B05', 'B03', 'B01'], grouped: true })).toEqual(['B05', 'B02', 'B01', 'B04', 'B03']);
  });

  it('derives the elapsed time from the stored instants, never from a ticking server', () => {
    const paused = { order: null, grouped: false, current: 'B01', segment: 'report' as const, runningSince: null, elapsedMs: 90_000, done: [], remarks: null };
    expect(elapsedAt(paused, '2020-12-12T01:00:00Z')).toBe(90_000);
    expect(elapsedAt({ ...paused, runningSince: '2020-12-12T01:00:00Z' }, '2020-12-12T01:01:00Z')).toBe(150_000);
    expect(elapsedAt({ ...paused, runningSince: '2020-12-12T01:00:00Z' }, '2020-12-12T00:59:00Z')).toBe(90_000); // a clock behind never runs it backwards
  });
});
