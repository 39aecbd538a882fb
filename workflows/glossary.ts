// Generates workflows/README.md from the machines themselves (`npm run glossary`);
// test/unit/glossary.test.ts fails when the committed file is stale.
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { branchReviewMachine, DEADLINE_KINDS, DEADLINE_LABELS, DEADLINE_PHASES, EVENT_META, ROLE_LABELS, TURNS, type EventMeta, type Label, type PhaseTag } from './branchReview';
import { CYCLE_EVENT_META, cycleMachine } from './cycle';
import { BRANCH_WORKFLOW, CYCLE_KIND_LABELS, CYCLE_KINDS } from './kinds';
import { phasesTagged, QUARTERLY_PHASES } from './phases';
import { QUARTERLY_DEADLINE_KINDS, QUARTERLY_DEADLINE_LABELS, QUARTERLY_EVENT_META, quarterlyAssessmentMachine, type QuarterlyTag } from './quarterlyAssessment';

/** What each tag means. The states that carry it are read off the machine. */
const TAG_MEANINGS: Record<PhaseTag, string> = {
  open: 'the review of the branch is under way (进行中)',
  final: 'nothing more happens to the branch (已结束)',
  'turn:office': `the next move is the office's (待${ROLE_LABELS.office['zh-CN']}办理)`,
  'turn:secretary': `the next move is the secretary's (待${ROLE_LABELS.secretary['zh-CN']}办理)`,
  'turn:evaluator': `the next move is the evaluators' (待${ROLE_LABELS.evaluator['zh-CN']}评分)`,
  'turn:none': 'nobody has a move left',
  'deadline:materials': `the ${DEADLINE_LABELS.materials.en} deadline binds (${DEADLINE_LABELS.materials['zh-CN']}截止): reminders and overdue apply`,
  'deadline:scoring': `the ${DEADLINE_LABELS.scoring.en} deadline binds (${DEADLINE_LABELS.scoring['zh-CN']}截止): reminders and overdue apply`,
  'deadline:plan': `the ${DEADLINE_LABELS.plan.en} deadline binds (${DEADLINE_LABELS.plan['zh-CN']}截止): reminders and overdue apply`,
  'deadline:followUp': `the ${DEADLINE_LABELS.followUp.en} deadline binds (${DEADLINE_LABELS.followUp['zh-CN']}截止): reminders and overdue apply`,
  ballots: 'democratic-appraisal ballots (民主测评票) are issued and cast',
  scoringOpen: 'an expected evaluator may score or keep a draft (可评分)',
};

const TAG_ORDER: PhaseTag[] = ['open', 'final', ...TURNS.map((t) => `turn:${t}` as const), ...DEADLINE_KINDS.map((k) => `deadline:${k}` as const), 'ballots', 'scoringOpen'];

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

const labelOf = (n: AnyStateNode): Label | undefined => (n.meta as { label?: Label } | undefined)?.label;
const bilingual = (l: Label | undefined) => (l ? `${l['zh-CN']} | ${l.en}` : ' | ');

function statesTable(machine: AnyStateMachine): string {
  const rows = walk(machine.root).map((n) => {
    const handled = [...n.transitions.keys()].sort().join(', ') || '—';
    const tags = n.tags.map((t: string) => `\`${t}\``).join(' ') || '—';
    return `| \`${idOf(n)}\` | ${bilingual(labelOf(n))} | ${tags} | ${n.type === 'final' ? 'final' : handled} |`;
  });
  return ['| state | 中文 | English | tags | events handled here |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

function tagsTable(): string {
  const rows = TAG_ORDER.map((tag) => `| \`${tag}\` | ${TAG_MEANINGS[tag]} | ${phasesTagged(tag).join(', ') || '—'} |`);
  return ['| tag | meaning | states |', '| --- | --- | --- |', ...rows].join('\n');
}

function eventsTable(events: Record<string, EventMeta>): string {
  const rows = Object.entries(events).map(
    ([e, m]) =>
      `| \`${e}\`${m.weighty ? ' ⚠' : ''} | ${bilingual(m.label)} | ${m.roles.map((r) => `${r}（${ROLE_LABELS[r]['zh-CN']}）`).join('、')} |`,
  );
  return ['| event | 中文 | English | who may send it |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

const QUARTERLY_TAG_ORDER: QuarterlyTag[] = ['open', 'final', 'turn:office', 'turn:secretary', 'turn:none', ...QUARTERLY_DEADLINE_KINDS.map((k) => `deadline:${k}` as const)];
const quarterlyTagMeaning = (tag: QuarterlyTag): string =>
  tag.startsWith('deadline:')
    ? ((k) => `the ${QUARTERLY_DEADLINE_LABELS[k].en} deadline binds (${QUARTERLY_DEADLINE_LABELS[k]['zh-CN']}截止): reminders and overdue apply`)(tag.slice(9) as (typeof QUARTERLY_DEADLINE_KINDS)[number])
    : TAG_MEANINGS[tag as PhaseTag];

function quarterlyTagsTable(): string {
  const tagged = (tag: string) => QUARTERLY_PHASES.filter((p) => quarterlyAssessmentMachine.root.states[p].tags.includes(tag as never));
  const rows = QUARTERLY_TAG_ORDER.map((tag) => `| \`${tag}\` | ${quarterlyTagMeaning(tag)} | ${tagged(tag).join(', ') || '—'} |`);
  return ['| tag | meaning | states |', '| --- | --- | --- |', ...rows].join('\n');
}

const kindsTable = () =>
  ['| kind | 中文 | English | branch workflow |', '| --- | --- | --- | --- |', ...CYCLE_KINDS.map((k) => `| \`${k}\` | ${bilingual(CYCLE_KIND_LABELS[k])} | \`${BRANCH_WORKFLOW[k]}\` |`)].join('\n');

const deadlineSentence = () =>
  DEADLINE_KINDS.map((k) => `${k} in ${DEADLINE_PHASES[k].join('/')}`).join(', ');

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

### Tags

Every top-level state carries \`open\` or \`final\` and one \`turn:*\`; the engine, the read models,
the ballots and the web pages ask these tags (\`workflows/phases.ts\`) instead of listing phases.

${tagsTable()}

### Events

${eventsTable(EVENT_META)}

⚠ weighty: decides an outcome or is hard to undo.

A secretary acts only on their own branch; an evaluator scores only branches where they are an
expected evaluator (回避: never their own branch). \`ADJUST_SCORE\` and \`VETO\` are accepted until
results are published; \`EXTEND_DEADLINE\` and \`EXEMPT\` in every open phase. \`DEADLINE_DUE\` is
accepted only where its deadline binds (\`deadline:*\` tags):
${deadlineSentence()}.

\`\`\`mermaid
${mermaid(branchReviewMachine)}
\`\`\`

## Quarterly assessment (季度党建考核) — \`${quarterlyAssessmentMachine.id}\`

A cycle of kind \`quarterlyAssessment\` (with its \`quarter\` and \`indicators\`) runs this machine for each
branch instead of the branch review: the secretary submits a self-assessment per indicator with
evidence, the office scores each indicator or returns the self-assessment with a reason, and the
office publishes the results for the whole cycle. Reminders and escalations work as in the annual
review, on its own deadlines.

### Cycle kinds

${kindsTable()}

### States

${statesTable(quarterlyAssessmentMachine)}

### Tags

${quarterlyTagsTable()}

### Events

${eventsTable(QUARTERLY_EVENT_META)}

\`\`\`mermaid
${mermaid(quarterlyAssessmentMachine)}
\`\`\`

## Cycle (述评周期) — \`${cycleMachine.id}\`

The same machine for every kind of cycle.

### States

${statesTable(cycleMachine)}

### Events

${eventsTable(CYCLE_EVENT_META)}

\`\`\`mermaid
${mermaid(cycleMachine)}
\`\`\`
`;
}
