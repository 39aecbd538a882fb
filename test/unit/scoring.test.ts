// Worked examples of the scoring rules (评分规则); every expectation is computed by hand in the comments.
import { describe, it, expect } from 'vitest';
import {
  approvalRate,
  bandGrade,
  baseScore,
  checkScores,
  competitionRanks,
  computeResults,
  DEFAULT_BANDS,
  DEFAULT_RUBRIC,
  evaluatorTotal,
  finalScore,
  panelScore,
  roundHalfUp,
  type BranchScoringInput,
  type ScoringRules,
} from '../../src/domain/scoring';

const noCap: ScoringRules = { rubric: DEFAULT_RUBRIC, bands: DEFAULT_BANDS, topGradeCapPercent: null, democratic: { enabled: false, weightPercent: 30 } };
const cap30: ScoringRules = { ...noCap, topGradeCapPercent: 30 };
const withRate: ScoringRules = { ...noCap, democratic: { enabled: true, weightPercent: 30 } };

/** A branch scored by a single evaluator, so its panel (and final, without adjustments) is that total. */
const one = (code: string, total: number, extra: Partial<BranchScoringInput> = {}): BranchScoringInput => ({
  code,
  evaluatorTotals: [total],
  adjustments: [],
  ...extra,
});

describe('defaults', () => {
  it('rubric of 100 points: 30 + 30 + 15 + 15 + 10', () => {
    expect(DEFAULT_RUBRIC.map((c) => [c.key, c.name, c.max])).toEqual([
      ['effectiveness', '党建工作成效', 30],
      ['integration', '党建与生产经营融合', 30],
      ['highlights', '特色亮点', 15],
      ['problems', '问题查找与整改措施', 15],
      ['presentation', '述职与答辩表现', 10],
    ]);
  });
  it('bands 好 ≥ 90, 较好 ≥ 80, 一般 ≥ 70, 差 ≥ 0', () => {
    expect(DEFAULT_BANDS).toEqual([
      { grade: '好', min: 90 },
      { grade: '较好', min: 80 },
      { grade: '一般', min: 70 },
      { grade: '差', min: 0 },
    ]);
  });
});

describe('roundHalfUp', () => {
  it.each([
    [84.125, 84.13], // exactly half → up (a naive Math.round(x*100)/100 gives 84.12 on some of these)
    [1.005, 1.01], // 1.005 is 1.00499999… in binary
    [2.675, 2.68], // 2.675 is 2.67499999… in binary
    [84.124, 84.12],
    [84.1251, 84.13],
    [253 / 3, 84.33], // 84.333…
    [260 / 3, 86.67], // 86.666…
    [90, 90],
    [0, 0],
  ])('%s → %s', (x, want) => expect(roundHalfUp(x)).toBe(want));

  it('absorbs float error the arithmetic introduced', () => {
    // 43.5 / 80 × 100 = 54.375 exactly on paper, 54.37499999… in float → 54.38
    expect(roundHalfUp((43.5 / 80) * 100)).toBe(54.38);
    // 0.1 + 0.2 = 0.30000000000000004 → 0.3
    expect(roundHalfUp(0.1 + 0.2)).toBe(0.3);
  });

  it('takes other decimal counts', () => {
    expect(roundHalfUp(1.25, 1)).toBe(1.3);
    expect(roundHalfUp(2.5, 0)).toBe(3);
    expect(roundHalfUp(84.1255, 3)).toBe(84.126);
  });

  it('rounds negatives away from zero and never returns -0', () => {
    // an adjustment total of −1.005 → −1.01
    expect(roundHalfUp(-1.005)).toBe(-1.01);
    expect(Object.is(roundHalfUp(-0.001), 0)).toBe(true);
  });

  it('handles values String() writes with an exponent', () => {
    expect(roundHalfUp(1e-7)).toBe(0);
    expect(roundHalfUp(5e-3)).toBe(0.01);
  });

  it('refuses non-finite values', () => {
    expect(() => roundHalfUp(NaN)).toThrow();
    expect(() => roundHalfUp(Infinity)).toThrow();
  });
});

describe('checkScores', () => {
  const valid = { effectiveness: 27.5, integration: 28, highlights: 13.5, problems: 12, presentation: 9 };
  const paths = (scores: Record<string, unknown>) => checkScores(scores, DEFAULT_RUBRIC).map((i) => i.path).sort();

  it('accepts half points and both ends of each range', () => {
    expect(checkScores(valid, DEFAULT_RUBRIC)).toEqual([]);
    expect(checkScores({ effectiveness: 0, integration: 30, highlights: 0.5, problems: 15, presentation: 10 }, DEFAULT_RUBRIC)).toEqual([]);
  });

  it('refuses a score above the max or below 0', () => {
    expect(paths({ ...valid, effectiveness: 30.5 })).toEqual(['scores.effectiveness']);
    expect(paths({ ...valid, presentation: 11 })).toEqual(['scores.presentation']);
    expect(paths({ ...valid, highlights: -0.5 })).toEqual(['scores.highlights']);
  });

  it('refuses a score that is not a multiple of 0.5', () => {
    expect(paths({ ...valid, integration: 20.3 })).toEqual(['scores.integration']);
    expect(paths({ ...valid, problems: 7.25 })).toEqual(['scores.problems']);
  });

  it('refuses a missing criterion', () => {
    const { highlights: _omit, ...missing } = valid;
    expect(paths(missing)).toEqual(['scores.highlights']);
    expect(paths({ ...valid, problems: null })).toEqual(['scores.problems']);
  });

  it('refuses an unknown criterion key', () => {
    expect(paths({ ...valid, bonus: 5 })).toEqual(['scores.bonus']);
  });

  it('refuses a non-number', () => {
    expect(paths({ ...valid, effectiveness: '30' })).toEqual(['scores.effectiveness']);
    expect(paths({ ...valid, effectiveness: NaN })).toEqual(['scores.effectiveness']);
  });

  it('names every faulty criterion at once, each with a message', () => {
    // 31 > 30, 20.3 not a half, −1 < 0, bonus unknown, problems and presentation missing
    const issues = checkScores({ effectiveness: 31, integration: 20.3, highlights: -1, bonus: 5 }, DEFAULT_RUBRIC);
    expect(issues.map((i) => i.path).sort()).toEqual(
      ['scores.bonus', 'scores.effectiveness', 'scores.highlights', 'scores.integration', 'scores.presentation', 'scores.problems'].sort(),
    );
    for (const i of issues) expect(i.message).not.toBe('');
  });

  it('follows a configured rubric', () => {
    const rubric = [{ key: 'a', name: '甲', max: 60 }, { key: 'b', name: '乙', max: 40 }];
    expect(checkScores({ a: 60, b: 39.5 }, rubric)).toEqual([]);
    expect(checkScores({ a: 60, b: 40.5 }, rubric).map((i) => i.path)).toEqual(['scores.b']);
  });
});

describe('evaluatorTotal', () => {
  it('sums the criteria', () => {
    // 27.5 + 28 + 13.5 + 12 + 9 = 90
    expect(evaluatorTotal({ effectiveness: 27.5, integration: 28, highlights: 13.5, problems: 12, presentation: 9 }, DEFAULT_RUBRIC)).toBe(90);
    // 30 + 30 + 15 + 15 + 10 = 100
    expect(evaluatorTotal({ effectiveness: 30, integration: 30, highlights: 15, problems: 15, presentation: 10 }, DEFAULT_RUBRIC)).toBe(100);
  });
});

describe('panelScore (评委平均分)', () => {
  it('5 totals: drops one highest and one lowest', () => {
    // 80, 85, 90, 95, 70 → drop 95 and 70 → (80 + 85 + 90) / 3 = 255 / 3 = 85
    expect(panelScore([80, 85, 90, 95, 70])).toEqual({ panel: 85, dropped: { highest: 95, lowest: 70 } });
  });

  it('6 totals: still drops only one of each', () => {
    // 88, 92.5, 79, 85, 90, 86 → drop 92.5 and 79 → (88 + 85 + 90 + 86) / 4 = 349 / 4 = 87.25
    expect(panelScore([88, 92.5, 79, 85, 90, 86])).toEqual({ panel: 87.25, dropped: { highest: 92.5, lowest: 79 } });
  });

  it('drops only one of tied extremes', () => {
    // 90, 90, 80, 80, 85 → drop one 90 and one 80 → (90 + 80 + 85) / 3 = 255 / 3 = 85
    expect(panelScore([90, 90, 80, 80, 85])).toEqual({ panel: 85, dropped: { highest: 90, lowest: 80 } });
  });

  it('4 totals: keeps all, rounding a .xx5 mean up', () => {
    // 88 + 86 + 87 + 84.5 = 345.5; / 4 = 86.375 → 86.38
    expect(panelScore([88, 86, 87, 84.5])).toEqual({ panel: 86.38, dropped: null });
    // 95 + 70 + 80 + 85 = 330; / 4 = 82.5 (nothing dropped, although 95 and 70 are extremes)
    expect(panelScore([95, 70, 80, 85])).toEqual({ panel: 82.5, dropped: null });
  });

  it('3 totals: 84 + 84 + 85 = 253, / 3 = 84.333… → 84.33', () => {
    expect(panelScore([84, 84, 85])).toEqual({ panel: 84.33, dropped: null });
  });

  it('a trimmed mean that rounds: 70, 84, 84, 85, 99 → drop 99 and 70 → 253 / 3 = 84.33', () => {
    expect(panelScore([70, 84, 84, 85, 99]).panel).toBe(84.33);
  });

  it('a single total is the panel', () => expect(panelScore([77.5])).toEqual({ panel: 77.5, dropped: null }));

  it('refuses a branch with no totals', () => expect(() => panelScore([])).toThrow(Error));

  it('does not reorder the caller’s list', () => {
    const totals = [80, 85, 90, 95, 70];
    panelScore(totals);
    expect(totals).toEqual([80, 85, 90, 95, 70]);
  });
});

describe('approvalRate (民主测评满意率)', () => {
  it('(满意 + 0.5 × 基本满意) / cast × 100', () => {
    // (20 + 0.5 × 8) / 30 × 100 = 24 / 30 × 100 = 80
    expect(approvalRate({ satisfied: 20, basic: 8, unsatisfied: 2 })).toBe(80);
    // (1 + 0.5 × 1) / 3 × 100 = 50
    expect(approvalRate({ satisfied: 1, basic: 1, unsatisfied: 1 })).toBe(50);
    // 2 / 3 × 100 = 66.666… → 66.67
    expect(approvalRate({ satisfied: 2, basic: 0, unsatisfied: 1 })).toBe(66.67);
    // all 基本满意: 0.5 × 10 / 10 × 100 = 50; all 不满意: 0
    expect(approvalRate({ satisfied: 0, basic: 10, unsatisfied: 0 })).toBe(50);
    expect(approvalRate({ satisfied: 0, basic: 0, unsatisfied: 4 })).toBe(0);
  });

  it('rounds a .xx5 rate up', () => {
    // (14 + 0.5 × 59) / 80 × 100 = 43.5 / 80 × 100 = 54.375 → 54.38
    expect(approvalRate({ satisfied: 14, basic: 59, unsatisfied: 7 })).toBe(54.38);
  });

  it('is null with no ballot cast or no ballots at all', () => {
    expect(approvalRate({ satisfied: 0, basic: 0, unsatisfied: 0 })).toBeNull();
    expect(approvalRate(null)).toBeNull();
    expect(approvalRate(undefined)).toBeNull();
  });

  it('refuses counts that are not whole numbers ≥ 0', () => {
    expect(() => approvalRate({ satisfied: -1, basic: 2, unsatisfied: 0 })).toThrow();
    expect(() => approvalRate({ satisfied: 1.5, basic: 2, unsatisfied: 0 })).toThrow();
  });
});

describe('baseScore', () => {
  const w30 = { enabled: true, weightPercent: 30 };

  it('70 % panel + 30 % rate by default', () => {
    // 0.7 × 90 + 0.3 × 80 = 63 + 24 = 87
    expect(baseScore(90, 80, w30)).toBe(87);
    // 0.7 × 85 + 0.3 × 80 = 59.5 + 24 = 83.5
    expect(baseScore(85, 80, w30)).toBe(83.5);
  });

  it('other weights, rounding half up', () => {
    // 0.6 × 85.55 + 0.4 × 66.67 = 51.33 + 26.668 = 77.998 → 78
    expect(baseScore(85.55, 66.67, { enabled: true, weightPercent: 40 })).toBe(78);
    // 0.5 × 60 + 0.5 × 93.33 = 30 + 46.665 = 76.665 → 76.67 (76.66499… in naive float)
    expect(baseScore(60, 93.33, { enabled: true, weightPercent: 50 })).toBe(76.67);
    // 0 % → the panel; 100 % → the rate
    expect(baseScore(88, 50, { enabled: true, weightPercent: 0 })).toBe(88);
    expect(baseScore(88, 50, { enabled: true, weightPercent: 100 })).toBe(50);
  });

  it('is the panel when no rate counts', () => {
    expect(baseScore(90, null, w30)).toBe(90);
    expect(baseScore(90, 80, { enabled: false, weightPercent: 30 })).toBe(90);
  });
});

describe('finalScore', () => {
  it('adds bonuses and penalties', () => {
    // 85 + 2 − 0.5 = 86.5
    expect(finalScore(85, [{ points: 2, reason: '获评先进' }, { points: -0.5, reason: '材料迟交' }])).toBe(86.5);
    // 83.5 + 0.1 + 0.2 = 83.8 (not 83.80000000000001)
    expect(finalScore(83.5, [{ points: 0.1, reason: 'a' }, { points: 0.2, reason: 'b' }])).toBe(83.8);
    expect(finalScore(77.25, [])).toBe(77.25);
  });

  it('clamps at 100', () => {
    // 99 + 3 = 102 → 100
    expect(finalScore(99, [{ points: 3, reason: '获评先进' }])).toBe(100);
  });

  it('clamps at 0', () => {
    // 2 − 5 = −3 → 0
    expect(finalScore(2, [{ points: -5, reason: '违纪扣分' }])).toBe(0);
  });
});

describe('bandGrade', () => {
  it('grades at and just below each band edge', () => {
    expect([100, 90, 89.99, 80, 79.99, 70, 69.99, 0].map((f) => bandGrade(f, DEFAULT_BANDS))).toEqual([
      '好', '好', '较好', '较好', '一般', '一般', '差', '差',
    ]);
  });

  it('takes bands in any order', () => {
    const shuffled = [DEFAULT_BANDS[2], DEFAULT_BANDS[0], DEFAULT_BANDS[3], DEFAULT_BANDS[1]];
    expect([95, 85, 75, 65].map((f) => bandGrade(f, shuffled))).toEqual(['好', '较好', '一般', '差']);
  });

  it('falls to the lowest band below every minimum', () => {
    const bands = [{ grade: '优秀', min: 85 }, { grade: '合格', min: 60 }];
    expect(bandGrade(59.99, bands)).toBe('合格');
    expect(bandGrade(85, bands)).toBe('优秀');
  });
});

describe('competitionRanks', () => {
  it('1, 2, 2, 4', () => expect(competitionRanks([95, 90, 90, 85])).toEqual([1, 2, 2, 4]));
  it('keeps the input order', () => expect(competitionRanks([80, 95, 80, 70])).toEqual([2, 1, 2, 4]));
  it('all tied share rank 1', () => expect(competitionRanks([88, 88, 88])).toEqual([1, 1, 1]));
  it('empty in, empty out', () => expect(competitionRanks([])).toEqual([]));
});

describe('computeResults', () => {
  it('shows every step on the sheet', () => {
    const [s] = computeResults(withRate, [
      {
        code: 'A',
        evaluatorTotals: [80, 85, 90, 95, 70],
        ballots: { satisfied: 20, basic: 8, unsatisfied: 2 },
        adjustments: [{ points: 2, reason: '获评先进' }, { points: -0.5, reason: '材料迟交' }],
      },
    ]);
    // panel (80 + 85 + 90) / 3 = 85; rate 24 / 30 × 100 = 80; base 0.7 × 85 + 0.3 × 80 = 83.5;
    // adjustments 2 − 0.5 = 1.5; final 85 → 较好, rank 1
    expect(s).toEqual({
      code: 'A',
      totals: [80, 85, 90, 95, 70],
      dropped: { highest: 95, lowest: 70 },
      panel: 85,
      ballots: { satisfied: 20, basic: 8, unsatisfied: 2 },
      rate: 80,
      base: 83.5,
      adjustments: [{ points: 2, reason: '获评先进' }, { points: -0.5, reason: '材料迟交' }],
      adjustmentTotal: 1.5,
      final: 85,
      bandGrade: '较好',
      veto: null,
      capped: false,
      grade: '较好',
      rank: 1,
    });
  });

  it('rounds each step: panel 84.33, rate 66.67, base 79.03', () => {
    const [s] = computeResults(withRate, [{ code: 'A', evaluatorTotals: [84, 84, 85], ballots: { satisfied: 2, basic: 0, unsatisfied: 1 }, adjustments: [] }]);
    // panel 253 / 3 = 84.33; rate 66.67; base 0.7 × 84.33 + 0.3 × 66.67 = 59.031 + 20.001 = 79.032 → 79.03 → 一般
    expect([s.panel, s.rate, s.base, s.final, s.grade]).toEqual([84.33, 66.67, 79.03, 79.03, '一般']);
  });

  it('leaves the rate out when no ballot was cast', () => {
    const [s] = computeResults(withRate, [one('A', 88, { ballots: { satisfied: 0, basic: 0, unsatisfied: 0 } })]);
    expect([s.rate, s.base]).toEqual([null, 88]);
    const [t] = computeResults(withRate, [one('B', 88)]);
    expect([t.ballots, t.rate, t.base]).toEqual([null, null, 88]);
  });

  it('ignores ballots when the appraisal is disabled', () => {
    // all 不满意 would give rate 0 and base 0.7 × 90 = 63; disabled, the base is the panel, 90
    const [s] = computeResults(noCap, [one('A', 90, { ballots: { satisfied: 0, basic: 0, unsatisfied: 9 } })]);
    expect([s.ballots, s.rate, s.base, s.grade]).toEqual([null, null, 90, '好']);
  });

  it('adjustments can move a branch across a band and are clamped', () => {
    const sheets = computeResults(noCap, [
      one('A', 89, { adjustments: [{ points: 1.5, reason: '特色突出' }] }), // 90.5 → 好
      one('B', 99, { adjustments: [{ points: 3, reason: '获评先进' }] }), // 102 → 100
      one('C', 3, { adjustments: [{ points: -5, reason: '违纪扣分' }] }), // −2 → 0
    ]);
    expect(sheets.map((s) => [s.final, s.grade, s.adjustmentTotal])).toEqual([
      [90.5, '好', 1.5],
      [100, '好', 3],
      [0, '差', -5],
    ]);
  });

  it('a veto forces 差 and the branch is still ranked on its final', () => {
    const sheets = computeResults(noCap, [
      one('A', 85),
      one('B', 96, { veto: { reason: '发生严重违纪问题' } }),
      one('C', 75),
    ]);
    expect(sheets.map((s) => [s.code, s.final, s.bandGrade, s.grade, s.veto, s.rank])).toEqual([
      ['A', 85, '较好', '较好', null, 2],
      ['B', 96, '好', '差', { reason: '发生严重违纪问题' }, 1],
      ['C', 75, '一般', '一般', null, 3],
    ]);
  });

  it('a veto forces the lowest configured band, whatever it is called', () => {
    const rules = { ...noCap, bands: [{ grade: '合格', min: 60 }, { grade: '优秀', min: 85 }, { grade: '不合格', min: 0 }] };
    const [s] = computeResults(rules, [one('A', 95, { veto: { reason: '否决' } })]);
    expect([s.bandGrade, s.grade]).toEqual(['优秀', '不合格']);
  });

  it('ranks ties 1, 2, 2, 4 in input order', () => {
    const sheets = computeResults(noCap, [one('A', 82), one('B', 91), one('C', 82), one('D', 79.5)]);
    expect(sheets.map((s) => [s.code, s.rank])).toEqual([['A', 2], ['B', 1], ['C', 2], ['D', 4]]);
  });

  it('takes unsorted bands in the rules', () => {
    const rules = { ...cap30, bands: [DEFAULT_BANDS[3], DEFAULT_BANDS[1], DEFAULT_BANDS[0], DEFAULT_BANDS[2]] };
    // 3 branches, cap 30 % → floor(0.9) = 0, so 95 is demoted to the second band, 较好
    const sheets = computeResults(rules, [one('A', 95), one('B', 85), one('C', 65)]);
    expect(sheets.map((s) => [s.bandGrade, s.grade, s.capped])).toEqual([
      ['好', '较好', true],
      ['较好', '较好', false],
      ['差', '差', false],
    ]);
  });

  describe('cap on the top grade (好 的比例上限)', () => {
    it('10 branches, cap 30 % → 3 keep 好; the 4th ≥ 90 becomes 较好 with capped', () => {
      // floor(30 % × 10) = 3: 99, 97, 95 keep 好; 90.5 is 好 by band but demoted
      const finals = [97, 60, 99, 90.5, 88, 95, 85, 80, 75, 70];
      const sheets = computeResults(cap30, finals.map((f, i) => one(`B${i}`, f)));
      expect(sheets.map((s) => [s.final, s.bandGrade, s.grade, s.capped, s.rank])).toEqual([
        [97, '好', '好', false, 2],
        [60, '差', '差', false, 10],
        [99, '好', '好', false, 1],
        [90.5, '好', '较好', true, 4],
        [88, '较好', '较好', false, 5],
        [95, '好', '好', false, 3],
        [85, '较好', '较好', false, 6],
        [80, '较好', '较好', false, 7],
        [75, '一般', '一般', false, 8],
        [70, '一般', '一般', false, 9],
      ]);
    });

    it('fewer top-band branches than the cap: nobody is demoted', () => {
      // cap floor(30 % × 10) = 3; only 99 and 92 reach 90
      const finals = [99, 92, 89, 85, 80, 75, 70, 65, 60, 55];
      const sheets = computeResults(cap30, finals.map((f, i) => one(`B${i}`, f)));
      expect(sheets.filter((s) => s.grade === '好').map((s) => s.final)).toEqual([99, 92]);
      expect(sheets.some((s) => s.capped)).toBe(false);
    });

    it('a tie straddling the cut is demoted whole ("at most" is strict)', () => {
      // 10 branches, cap 3: 98, 96 fit (1 and 2 at or above them); 93 and 93 tie for 3rd:
      // 4 top-grade branches have final ≥ 93 > 3, so both 93s become 较好; 91 likewise (5 > 3).
      const finals = [98, 93, 96, 93, 91, 85, 80, 75, 70, 65];
      const sheets = computeResults(cap30, finals.map((f, i) => one(`B${i}`, f)));
      expect(sheets.map((s) => [s.final, s.grade, s.capped, s.rank]).slice(0, 5)).toEqual([
        [98, '好', false, 1],
        [93, '较好', true, 3],
        [96, '好', false, 2],
        [93, '较好', true, 3],
        [91, '较好', true, 5],
      ]);
    });

    it('a tie that fits under the cap keeps 好', () => {
      // cap 3: 98 (1 at or above), 93 and 93 (3 at or above each) → all three keep 好
      const finals = [98, 93, 93, 85, 80, 75, 70, 65, 60, 55];
      const sheets = computeResults(cap30, finals.map((f, i) => one(`B${i}`, f)));
      expect(sheets.slice(0, 3).map((s) => [s.grade, s.capped])).toEqual([['好', false], ['好', false], ['好', false]]);
    });

    it('a vetoed branch does not take a place under the cap', () => {
      // 4 branches, cap floor(30 % × 4) = floor(1.2) = 1; A (98) is vetoed → 差, so B (96) keeps 好, C (92) is capped
      const sheets = computeResults(cap30, [one('A', 98, { veto: { reason: '否决' } }), one('B', 96), one('C', 92), one('D', 70)]);
      expect(sheets.map((s) => [s.code, s.grade, s.capped, s.rank])).toEqual([
        ['A', '差', false, 1],
        ['B', '好', false, 2],
        ['C', '较好', true, 3],
        ['D', '一般', false, 4],
      ]);
    });

    it('counts every scored branch, vetoed ones included, in the cap base', () => {
      // 7 branches, cap floor(30 % × 7) = floor(2.1) = 2: 97 and 95 keep 好 (99 is vetoed), 91 is capped
      const sheets = computeResults(cap30, [
        one('A', 99, { veto: { reason: '否决' } }), one('B', 97), one('C', 95), one('D', 91), one('E', 80), one('F', 70), one('G', 60),
      ]);
      expect(sheets.map((s) => s.grade)).toEqual(['差', '好', '好', '较好', '较好', '一般', '差']);
    });

    it('computes the cap without float error: 29 % of 100 is 29, not 28', () => {
      // 100 branches with finals 100, 99.9, …, 90.1 (all 好 by band); 29/100 × 100 is 28.999… in float,
      // but floor(29 % × 100) = 29 keep 好 and the other 71 are capped.
      const rules = { ...noCap, topGradeCapPercent: 29 };
      const sheets = computeResults(rules, Array.from({ length: 100 }, (_, i) => one(`B${i}`, (1000 - i) / 10)));
      expect(sheets.filter((s) => s.grade === '好').length).toBe(29);
      expect(sheets.filter((s) => s.capped).length).toBe(71);
    });

    it.each([null, undefined, 0, -10])('cap %s means no cap', (pct) => {
      const sheets = computeResults({ ...noCap, topGradeCapPercent: pct }, [one('A', 99), one('B', 95), one('C', 91)]);
      expect(sheets.map((s) => [s.grade, s.capped])).toEqual([['好', false], ['好', false], ['好', false]]);
    });
  });

  it('returns sheets in input order and copies what it was given', () => {
    const input = [one('Z', 70), one('A', 90)];
    const sheets = computeResults(noCap, input);
    expect(sheets.map((s) => s.code)).toEqual(['Z', 'A']);
    sheets[0].totals.push(1);
    expect(input[0].evaluatorTotals).toEqual([70]);
  });

  it('refuses a branch without evaluator totals', () => {
    expect(() => computeResults(noCap, [{ code: 'A', evaluatorTotals: [], adjustments: [] }])).toThrow();
  });

  it('no branches, no sheets', () => expect(computeResults(cap30, [])).toEqual([]));
});
