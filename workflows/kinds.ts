// Cycle kinds (考核类型): the annual review (年度述职评议, the default) and the quarterly assessment
// (季度党建考核). A cycle's kind names the machine each of its branches runs; the cycle machine is the
// same for both. The engine, the CLI, the API, the pages and the glossary ask here, not by kind.
import type { Label } from './branchReview';

export const CYCLE_KINDS = ['annualReview', 'quarterlyAssessment'] as const;
export type CycleKind = (typeof CYCLE_KINDS)[number];
export const DEFAULT_CYCLE_KIND: CycleKind = 'annualReview';

/** The branch-level workflow of each kind (its id in the registry, workflows/index.ts). */
export const BRANCH_WORKFLOW = { annualReview: 'branchReview', quarterlyAssessment: 'quarterlyAssessment' } as const satisfies Record<CycleKind, string>;
export type BranchWorkflowId = (typeof BRANCH_WORKFLOW)[CycleKind];

export const CYCLE_KIND_LABELS: Record<CycleKind, Label> = {
  annualReview: { 'zh-CN': '年度述职评议', en: 'Annual review' },
  quarterlyAssessment: { 'zh-CN': '季度党建考核', en: 'Quarterly assessment' },
};

export const isCycleKind = (v: unknown): v is CycleKind => typeof v === 'string' && (CYCLE_KINDS as readonly string[]).includes(v);

/** The kind of a stored configuration; older ones name none and are annual reviews. */
export const kindOf = (config: { kind?: unknown }): CycleKind => (isCycleKind(config.kind) ? config.kind : DEFAULT_CYCLE_KIND);

/** The branch workflow of a branch review row: older rows name none (the annual review). */
export const branchWorkflowOf = (row: { workflow?: string | null }): BranchWorkflowId =>
  row.workflow === 'quarterlyAssessment' ? 'quarterlyAssessment' : 'branchReview';
