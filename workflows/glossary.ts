// Generates workflows/README.md from the machines themselves (`npm run glossary`);
// test/unit/glossary.test.ts fails when the committed file is stale.
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { branchReviewMachine, EVENT_ROLES } from './branchReview';
import { CYCLE_EVENT_ROLES, cycleMachine } from './cycle';

const STATE_TERMS: Record<string, string> = {
  notified: '已通知',
  preparing: '准备述职材料',
  materialsReview: '材料审核',
  awaitingReview: '待现场述职',
  liveReview: '现场述职',
  'liveReview.presenting': '述（汇报中）',
  'liveReview.questioning': '问、答',
  scoring: '评分中',
  scored: '已评分（待公布）',
  improvementPlanning: '制定整改方案',
  planReview: '整改方案审核',
  followUp: '跟踪督办',
  closed: '已完成（销号）',
  exempted: '免于述评',
  draft: '草稿',
  launched: '已启动',
  resultsPublished: '已公布结果',
  archived: '已归档',
};

const EVENT_TERMS: Record<string, string> = {
  ACKNOWLEDGE: '确认收到通知',
  SUBMIT_MATERIALS: '提交述职材料',
  RETURN_MATERIALS: '退回材料',
  ACCEPT_MATERIALS: '材料通过',
  START_PRESENTATION: '开始现场述职（述）',
  RECORD_QA: '记录提问与回答（问、答）',
  END_PRESENTATION: '结束述职，进入评分',
  SUBMIT_SCORE: '提交评分（评）',
  PUBLISH_RESULTS: '公布结果',
  SUBMIT_PLAN: '提交整改方案',
  RETURN_PLAN: '退回整改方案',
  APPROVE_PLAN: '批准整改方案',
  REPORT_PROGRESS: '报告整改进展',
  VERIFY_ITEM: '整改事项销号',
  ADJUST_SCORE: '加减分',
  VETO: '一票否决',
  EXTEND_DEADLINE: '延长截止时间',
  EXEMPT: '免于述评',
  DEADLINE_DUE: '截止提醒 / 逾期督办',
  LAUNCH: '启动周期',
  ARCHIVE: '归档',
};

const ROLE_TERMS: Record<string, string> = {
  office: '党委办公室',
  secretary: '党支部书记',
  evaluator: '考评组成员',
  leader: '党委领导',
  system: '调度程序',
};

function walk(node: AnyStateNode, out: AnyStateNode[] = []): AnyStateNode[] {
  for (const child of Object.values(node.states) as AnyStateNode[]) {
    out.push(child);
    walk(child, out);
  }
  return out;
}

const idOf = (node: AnyStateNode) => node.path.join('.');
const mermaidId = (node: AnyStateNode) => node.path.join('_');

export function mermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  const nodes = walk(machine.root);
  lines.push(`  [*] --> ${mermaidId(nodes.find((n) => n.key === machine.root.config.initial)!)}`);
  const edges = new Set<string>();
  for (const node of nodes) {
    for (const [event, transitions] of node.transitions) {
      for (const t of transitions) {
        for (const target of t.target ?? []) {
          edges.add(`  ${mermaidId(node)} --> ${mermaidId(target as AnyStateNode)} : ${event}`);
        }
      }
    }
    if (node.type === 'final') edges.add(`  ${mermaidId(node)} --> [*]`);
  }
  lines.push(...[...edges].sort());
  return lines.join('\n');
}

function statesTable(machine: AnyStateMachine): string {
  const rows = walk(machine.root).map((n) => {
    const handled = [...n.transitions.keys()].sort().join(', ') || '—';
    return `| \`${idOf(n)}\` | ${STATE_TERMS[idOf(n)] ?? ''} | ${n.type === 'final' ? 'final' : handled} |`;
  });
  return ['| state | 中文 | events handled here |', '| --- | --- | --- |', ...rows].join('\n');
}

function eventsTable(roles: Record<string, readonly string[]>): string {
  const rows = Object.entries(roles).map(
    ([e, who]) => `| \`${e}\` | ${EVENT_TERMS[e] ?? ''} | ${who.map((r) => `${r}（${ROLE_TERMS[r]}）`).join('、')} |`,
  );
  return ['| event | 中文 | who may send it |', '| --- | --- | --- |', ...rows].join('\n');
}

export function glossary(): string {
  return `# Workflows — glossary (术语表)

Generated from the machines by \`npm run glossary\`; a test fails when this file is stale. Do not edit by hand.

The statecharts are pure xstate v5 machines: no I/O, no timers. Mails are declared as \`notify\`
actions that the engine turns into outbox rows; deadlines are timer rows that the scheduler
turns into \`DEADLINE_DUE\` events. Each machine is registered with a version in
\`workflows/index.ts\`; a cycle pins the version it was launched with.

## Branch review (支部述评) — \`${branchReviewMachine.id}\`

### States

${statesTable(branchReviewMachine)}

### Events

${eventsTable(EVENT_ROLES)}

A secretary acts only on their own branch; an evaluator scores only branches where they are an
expected evaluator (回避: never their own branch). \`ADJUST_SCORE\` and \`VETO\` are accepted until
results are published; \`EXTEND_DEADLINE\` and \`EXEMPT\` in every open phase. \`DEADLINE_DUE\` is
accepted only where its deadline binds: materials in notified/preparing, scoring in scoring,
plan in improvementPlanning, followUp in followUp.

\`\`\`mermaid
${mermaid(branchReviewMachine)}
\`\`\`

## Cycle (述评周期) — \`${cycleMachine.id}\`

### States

${statesTable(cycleMachine)}

### Events

${eventsTable(CYCLE_EVENT_ROLES)}

\`\`\`mermaid
${mermaid(cycleMachine)}
\`\`\`
`;
}
