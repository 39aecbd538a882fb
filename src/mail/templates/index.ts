// The mail templates by name, one file each. Statecharts name templates as plain strings in their
// `notify` actions, so test/unit/templates.test.ts checks that every such name is registered here.
import type { MessageKey } from '../locales/zh-CN';
import { closed } from './closed';
import { cycleArchived } from './cycleArchived';
import { deadlineExtended } from './deadlineExtended';
import { escalation } from './escalation';
import { exempted } from './exempted';
import { invitation } from './invitation';
import { itemVerified } from './itemVerified';
import { materialsAccepted } from './materialsAccepted';
import { materialsReturned } from './materialsReturned';
import { materialsSubmitted } from './materialsSubmitted';
import { notice } from './notice';
import { overdue } from './overdue';
import { passwordReset } from './passwordReset';
import { planApproved } from './planApproved';
import { planReturned } from './planReturned';
import { planSubmitted } from './planSubmitted';
import { progressReported } from './progressReported';
import { quarterNotice } from './quarterNotice';
import { quarterResults } from './quarterResults';
import { reminder } from './reminder';
import { results } from './results';
import { resultsPublished } from './resultsPublished';
import { scored } from './scored';
import { scoreRequest } from './scoreRequest';
import { selfAssessmentReturned } from './selfAssessmentReturned';
import { selfAssessmentSubmitted } from './selfAssessmentSubmitted';
import type { Template } from './shared';

/** Any template, its facts left open: only the template itself reads them. */
export type AnyTemplate = Template<unknown, MessageKey>;

export const templates = {
  notice,
  materialsSubmitted,
  materialsReturned,
  materialsAccepted,
  scoreRequest,
  scored,
  results,
  planSubmitted,
  planReturned,
  planApproved,
  progressReported,
  itemVerified,
  closed,
  deadlineExtended,
  exempted,
  reminder,
  overdue,
  escalation,
  resultsPublished,
  cycleArchived,
  invitation,
  passwordReset,
  // 季度党建考核 (workflows/quarterlyAssessment.ts)
  quarterNotice,
  selfAssessmentSubmitted,
  selfAssessmentReturned,
  quarterResults,
} satisfies Record<string, AnyTemplate>;

export type TemplateName = keyof typeof templates;
