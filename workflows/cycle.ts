// The cycle statechart (年度述评周期): draft → launched → resultsPublished → archived.
// Pure like the branch machine; the engine supplies the facts a guard needs in the event data.
import { setup } from 'xstate';
import type { EventMeta, Label, NotifyParams, Role } from './branchReview';

export type CycleEvent =
  | { type: 'LAUNCH'; by: string }
  // `unscored`: codes of open branches not yet scored; results go out for the whole cycle at once.
  | { type: 'PUBLISH_RESULTS'; by: string; data: { unscored: string[] } }
  // `open`: how many branches are neither closed nor exempted.
  | { type: 'ARCHIVE'; by: string; data: { open: number } };

export type CycleEventType = CycleEvent['type'];

/** Cycle state tags: every state is `open` or `final`. */
export type CycleTag = 'open' | 'final';
export interface CycleStateMeta {
  label: Label;
}

/** Every event of the cycle machine: a new event does not compile until it is named here. */
export const CYCLE_EVENT_META: Record<CycleEventType, EventMeta> = {
  LAUNCH: { label: { 'zh-CN': '启动', en: 'Launch' }, roles: ['office'], weighty: true },
  PUBLISH_RESULTS: { label: { 'zh-CN': '公布结果', en: 'Publish results' }, roles: ['office'], weighty: true },
  ARCHIVE: { label: { 'zh-CN': '归档', en: 'Archived' }, roles: ['system', 'office'] },
};

/** Who may send each cycle event, from CYCLE_EVENT_META. */
export const CYCLE_EVENT_ROLES = Object.fromEntries(
  Object.entries(CYCLE_EVENT_META).map(([type, meta]) => [type, meta.roles]),
) as Record<CycleEventType, readonly Role[]>;

const notify = (template: string, to: NotifyParams['to']) => ({ type: 'notify' as const, params: { template, to } });
const label = (zh: string, en: string): CycleStateMeta => ({ label: { 'zh-CN': zh, en } });

export const cycleMachine = setup({
  types: { events: {} as CycleEvent, tags: {} as CycleTag, meta: {} as CycleStateMeta },
  actions: { notify: (_, _params: NotifyParams) => {} },
  guards: {
    everyBranchScored: ({ event }) => event.type === 'PUBLISH_RESULTS' && event.data.unscored.length === 0,
    noBranchOpen: ({ event }) => event.type === 'ARCHIVE' && event.data.open === 0,
  },
}).createMachine({
  id: 'cycle',
  initial: 'draft',
  states: {
    draft: { tags: ['open'], meta: label('草稿', 'Draft'), on: { LAUNCH: 'launched' } },
    launched: {
      tags: ['open'],
      meta: label('进行中', 'Running'),
      on: {
        PUBLISH_RESULTS: { guard: 'everyBranchScored', target: 'resultsPublished', actions: notify('resultsPublished', ['leaders']) },
        ARCHIVE: { guard: 'noBranchOpen', target: 'archived' }, // every branch exempted
      },
    },
    resultsPublished: {
      tags: ['open'],
      meta: label('已公布结果', 'Results published'),
      on: { ARCHIVE: { guard: 'noBranchOpen', target: 'archived', actions: notify('cycleArchived', ['office', 'leaders']) } },
    },
    archived: { type: 'final', tags: ['final'], meta: label('已归档', 'Archived') },
  },
});
