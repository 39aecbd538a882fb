// Facts a branch event needs beyond its schema and its state, read inside the event's transaction:
// the problem list a plan answers, the evidence files a report names, the panel member who asked a
// question (issue 10). Each may fill in the event's data (ids, names) before it is recorded.
import type { BranchEventType, BranchReviewContext } from '../../workflows/index';
import type { CycleRules } from '../domain/schemas';
import { invalidInput } from '../errors';
import type { BranchReviewRow } from '../store/branchReviews';
import { cyclePeople, type CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';
import type { Actor } from './actors';
import type { Standing } from './policy';
import { checkEvidence, checkEvidenceFiles, preparePlan, recordEvidenceUses } from './problems';

export interface EventFacts {
  cycle: CycleRow;
  branch: BranchReviewRow;
  context: BranchReviewContext;
  config: CycleRules;
  actor: Actor;
  standing: Standing;
  now: string;
}

type Data = Record<string, unknown> | undefined;

/** Before the transition: checks against stored facts; answers the data to record. */
export async function prepareEvent(trx: Tx, f: EventFacts, type: BranchEventType, data: Data): Promise<Data> {
  switch (type) {
    case 'SUBMIT_PLAN':
      return (await preparePlan(trx, f, data as never)) as unknown as Data;
    case 'REPORT_PROGRESS':
      await checkEvidenceFiles(trx, f, data as never);
      return data;
    case 'VERIFY_ITEM':
      checkEvidence(f, data as never);
      return data;
    case 'RECORD_QA':
      return askedBy(trx, f, data as { question: string; answer: string; askedBy?: string; askedById?: string });
    default:
      return data;
  }
}

/** After the transition is recorded, in the same transaction. */
export async function afterEvent(trx: Tx, f: EventFacts, type: BranchEventType, data: Data): Promise<void> {
  if (type === 'REPORT_PROGRESS') await recordEvidenceUses(trx, f, data as never);
}

/** 提问人: a panel member chosen by id is recorded with their name (the minutes name them). */
async function askedBy(trx: Tx, f: EventFacts, data: { question: string; answer: string; askedBy?: string; askedById?: string }): Promise<Data> {
  if (data.askedById === undefined) return data;
  const member = (await cyclePeople(trx, f.cycle.id, 'evaluator')).find((p) => String(p.user_id) === data.askedById);
  if (!member) throw invalidInput([{ field: 'data.askedById', message: '提问人须为本周期考评组成员' }]);
  return { ...data, askedBy: member.name, askedById: String(member.user_id) };
}
