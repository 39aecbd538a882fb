// Worked examples of the scoring rules, computed by hand in the comments.
import { describe, expect, it } from 'vitest';
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
  type ScoringRules,
} from '../../src/domain/scoring';

const rules: ScoringRules = { rubric: DEFAULT_RUBRIC, bands: DEFAULT_BANDS, topGradeCapPercent: 30, democratic: { enabled: false, weightPercent: 30 } };

describe('rounding half up to 2 decimals', () => {
  it.each([
    [84.125, 84.13],
    [1.005, 1.01],
    [2.675, 2.68],
    [84.124, 84.12],
    [253 / 3, 84.33],
    [86.375, 86.38],
    [90, 90],
  ])('%d → %d', (x, want) => expect(roundHalfUp(x)).toBe(want));
});

describe('evaluator totals', () => {
  it('sums the criteria, half points allowed', () => {
    // 27.5 + 28 + 13.5 + 12 + 9 = 90
    expect(evaluatorTotal({ effectiveness: 27.5, integration: 28, highlights: 13.5, problems: 12, presentation: 9 }, DEFAULT_RUBRIC)).toBe(90);
  });

  it('refuses out of range, non-half, missing and unknown criteria, naming each', () => {
    const issues = checkScores({ effectiveness: 31, integration: 20.3, highlights: -1, bonus: 5 }, DEFAULT_RUBRIC);
    expect(issues.map((i) => i.path).sort()).toEqual(
      ['scores.bonus', 'scores.effectiveness', 'scores.highlights', 'scores.integration', 'scores.presentation', 'scores.problems'].sort(),
    );
    expect(checkScores({ effectiveness: 30, integration: 0, highlights: 7.5, problems: 15, presentation: 10 }, DEFAULT_RUBRIC)).toEqual([]);
    expect(checkScores({ effectiveness: '30', integration: 0, highlights: 7.5, problems: 15, presentation: 10 }, DEFAULT_RUBRIC)[0].path).toBe('scores.effectiveness');
  });
});

describe('panel score', () => {
  it('drops one highest and one lowest with 5 or more totals', () => {
    // 80, 85, 90, 95, 70 → drop 95 and 70 → (80+85+90)/3 = 85
    expect(panelScore([80, 85, 90, 95, 70])).toEqual({ panel: 85, dropped: { highest: 95, lowest: 70 } });
  });
  it('drops only one of tied extremes', () => {
    // 90, 90, 80, 80, 85 → drop one 90 and one 80 → (90+80+85)/3 = 85
    expect(panelScore([90, 90, 80, 80, 85]).panel).toBe(85);
  });
  it('keeps every total with fewer than 5', () => {
    // 88 + 86 + 87 + 84.5 = 345.5; / 4 = 86.375 → 86.38
    expect(panelScore([88, 86, 87, 84.5])).toEqual({ panel: 86.38, dropped: null });
  });
  it('rounds the mean half up: 84 + 84 + 85 = 253, / 3 = 84.333… → 84.33', () => {
    expect(panelScore([84, 84, 85]).panel).toBe(84.33);
  });
  it('refuses a branch with no totals', () => expect(() => panelScore([])).toThrow());
});

describe('democratic appraisal and base', () => {
  it('rate = (满意 + 0.5 × 基本满意) / cast × 100', () => {
    // (20 + 0.5 × 8) / 30 × 100 = 24/30 × 100 = 80
    expect(approvalRate({ satisfied: 20, basic: 8, unsatisfied: 2 })).toBe(80);
    // (1 + 0.5) / 3 × 100 = 50
    expect(approvalRate({ satisfied: 1, basic: 1, unsatisfied: 1 })).toBe(50);
    // 2/3 × 100 = 66.666… → 66.67
    expect(approvalRate({ satisfied: 2, basic: 0, unsatisfied: 1 })).toBe(66.67);
  });
  it('leaves the rate out with no ballot cast', () => {
    expect(approvalRate({ satisfied: 0, basic: 0, unsatisfied: 0 })).toBeNull();
    expect(approvalRate(null)).toBeNull();
  });
  it('weights 70 % panel + 30 % rate when the rate counts, else the panel alone', () => {
    // 0.7 × 90 + 0.3 × 80 = 63 + 24 = 87
    expect(baseScore(90, 80, { enabled: true, weightPercent: 30 })).toBe(87);
    expect(baseScore(90, null, { enabled: true, weightPercent: 30 })).toBe(90);
    expect(baseScore(90, 80, { enabled: false, weightPercent: 30 })).toBe(90);
    // 0.6 × 85.55 + 0.4 × 66.67 = 51.33 + 26.668 = 77.998 → 78
    expect(baseScore(85.55, 66.67, { enabled: true, weightPercent: 40 })).toBe(78);
  });
  it('ignores ballots when the appraisal is disabled', () => {
    const [s] = computeResults(rules, [{ code: 'A', evaluatorTotals: [90], ballots: { satisfied: 0, basic: 0, unsatisfied: 9 }, adjustments: [] }]);
    expect(s.rate).toBeNull();
    expect(s.base).toBe(90);
  });
  it('counts ballots when enabled', () => {
    const [s] = computeResults({ ...rules, democratic: { enabled: true, weightPercent: 30 } }, [
      { code: 'A', evaluatorTotals: [90], ballots: { satisfied: 20, basic: 8, unsatisfied: 2 }, adjustments: [] },
    ]);
    expect([s.rate, s.base]).toEqual([80, 87]);
  });
});

describe('final, grades and ranks', () => {
  it('adds adjustments and keeps the final within 0..100', () => {
    expect(finalScore(85, [{ points: 2, reason: '先进' }, { points: -0.5, reason: '迟交' }])).toBe(86.5);
    expect(finalScore(99, [{ points: 3, reason: '先进' }])).toBe(100);
    expect(finalScore(2, [{ points: -5, reason: '违纪' }])).toBe(0);
  });
  it('grades by bands', () => {
    expect([90, 89.99, 80, 79.99, 70, 69.99].map((f) => bandGrade(f, DEFAULT_BANDS))).toEqual(['好', '较好', '较好', '一般', '一般', '差']);
  });
  it('ranks by competition: 1, 2, 2, 4', () => {
    expect(competitionRanks([95, 90, 90, 85])).toEqual([1, 2, 2, 4]);
    expect(competitionRanks([80, 95, 80])).toEqual([2, 1, 2]);
  });
  it('a veto forces 差 and the branch is still ranked on its final', () => {
    const sheets = computeResults({ ...rules, topGradeCapPercent: null }, [
      { code: 'A', evaluatorTotals: [95], adjustments: [], veto: { reason: '严重违纪' } },
      { code: 'B', evaluatorTotals: [85], adjustments: [] },
    ]);
    expect(sheets.map((s) => [s.code, s.bandGrade, s.grade, s.rank])).toEqual([
      ['A', '好', '差', 1],
      ['B', '较好', '较好', 2],
    ]);
  });
  it('the cap on 好 keeps the highest finals and demotes the lowest over it', () => {
    // 10 branches, cap 30 % → floor(3) = 3 keep 好; the 4th ≥ 90 (90.5) becomes 较好.
    const finals = [99, 97, 95, 90.5, 88, 85, 80, 75, 70, 60];
    const sheets = computeResults(rules, finals.map((f, i) => ({ code: `B${i}`, evaluatorTotals: [f], adjustments: [] })));
    expect(sheets.map((s) => s.grade)).toEqual(['好', '好', '好', '较好', '较好', '较好', '较好', '一般', '一般', '差']);
    expect(sheets.map((s) => s.capped)).toEqual([false, false, false, true, false, false, false, false, false, false]);
  });
  it('a tie across the cap is demoted whole: "at most" is strict', () => {
    // 5 branches, cap 30 % → floor(1.5) = 1; two tied at 95 would make 2, so both become 较好.
    const sheets = computeResults(rules, [95, 95, 85, 80, 75].map((f, i) => ({ code: `B${i}`, evaluatorTotals: [f], adjustments: [] })));
    expect(sheets.map((s) => [s.grade, s.rank])).toEqual([
      ['较好', 1],
      ['较好', 1],
      ['较好', 3],
      ['较好', 4],
      ['一般', 5],
    ]);
  });
  it('a vetoed branch does not take a place under the cap', () => {
    // cap 30 % of 4 → 1; A (98) is vetoed, so B (96) keeps 好.
    const sheets = computeResults(rules, [
      { code: 'A', evaluatorTotals: [98], adjustments: [], veto: { reason: '否决' } },
      { code: 'B', evaluatorTotals: [96], adjustments: [] },
      { code: 'C', evaluatorTotals: [92], adjustments: [] },
      { code: 'D', evaluatorTotals: [70], adjustments: [] },
    ]);
    expect(sheets.map((s) => s.grade)).toEqual(['差', '好', '较好', '一般']);
  });
  it('shows every step on the sheet', () => {
    const [s] = computeResults({ ...rules, democratic: { enabled: true, weightPercent: 30 } }, [
      { code: 'A', evaluatorTotals: [80, 85, 90, 95, 70], ballots: { satisfied: 20, basic: 8, unsatisfied: 2 }, adjustments: [{ points: 1.5, reason: '先进' }] },
    ]);
    // panel 85, rate 80, base 0.7×85 + 0.3×80 = 59.5 + 24 = 83.5, final 85
    expect(s).toMatchObject({ panel: 85, dropped: { highest: 95, lowest: 70 }, rate: 80, base: 83.5, adjustmentTotal: 1.5, final: 85, grade: '较好', rank: 1 });
  });
});
