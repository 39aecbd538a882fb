// The cycle statechart (年度述评周期): draft → launched → resultsPublished → archived.
// Pure like the branch machine; the engine supplies the facts a guard needs in the event data.
import { setup } from 'xstate';
import type { NotifyParams, Role } from './branchReview';

export type CycleEvent =
  | { type: 'LAUNCH'; by: string }
  // `unscored`: codes of open branches not yet scored; results go out for the whole cycle at once.
  | { type: 'PUBLISH_RESULTS'; by: string; data: { unscored: string[] } }
  // `open`: how many branches are neither closed nor exempted.
  | { type: 'ARCHIVE'; by: string; data: { open: number } };

export const CYCLE_EVENT_ROLES: Record<CycleEvent['type'], readonly Role[]> = {
  LAUNCH: ['office'],
  PUBLISH_RESULTS: ['office'],
  ARCHIVE: ['system', 'office'],
};

const notify = (template: string, to: NotifyParams['to']) => ({ type: 'notify' as const, params: { template, to } });

export const cycleMachine = setup({
  types: { events: {} as CycleEvent },
  actions: { notify: (_, _params: NotifyParams) => {} },
  guards: {
    everyBranchScored: ({ event }) => event.type === 'PUBLISH_RESULTS' && event.data.unscored.length === 0,
    noBranchOpen: ({ event }) => event.type === 'ARCHIVE' && event.data.open === 0,
  },
}).createMachine({
  id: 'cycle',
  initial: 'draft',
  states: {
    draft: { on: { LAUNCH: 'launched' } }, // 草稿
    launched: {
      // 已启动
      on: {
        PUBLISH_RESULTS: { guard: 'everyBranchScored', target: 'resultsPublished', actions: notify('resultsPublished', ['leaders']) },
        ARCHIVE: { guard: 'noBranchOpen', target: 'archived' }, // every branch exempted
      },
    },
    resultsPublished: { on: { ARCHIVE: { guard: 'noBranchOpen', target: 'archived', actions: notify('cycleArchived', ['office', 'leaders']) } } }, // 已公布结果
    archived: { type: 'final' }, // 已归档
  },
});
