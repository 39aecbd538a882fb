// The peer: the same per-branch flow in bpmn-engine (npm, v25), a BPMN process of user tasks
// notified → preparing → materialsReview → …; each step's state (getState()) saved as JSON in a
// table of the same database. Given its best use: the BPMN is parsed once and its serialized
// context shared by every engine, and the state is saved without the source, which recover() takes
// from the engine's options (as bpmn-engine allows), so neither XML parsing nor the source's
// JSON is paid per branch.
import { Engine, type BpmnEngineOptions } from 'bpmn-engine';
import type { Side } from './databases';

const TASKS = ['notified', 'preparing', 'materialsReview', 'awaitingReview', 'liveReview', 'scoring', 'scored', 'planning', 'planReview', 'followUp'];

export const PEER_BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="shuping" targetNamespace="http://bench.example.org">
  <process id="branchReview" isExecutable="true">
    <startEvent id="start" />
${TASKS.map((t) => `    <userTask id="${t}" />`).join('\n')}
    <endEvent id="closed" />
${['start', ...TASKS].map((from, i) => `    <sequenceFlow id="flow${i}" sourceRef="${from}" targetRef="${[...TASKS, 'closed'][i]}" />`).join('\n')}
  </process>
</definitions>`;

export const PEER_TABLE = 'bench_peer_states';

// bpmn-engine's serialized context, as Engine({ sourceContext }) takes it.
type SourceContext = NonNullable<BpmnEngineOptions['sourceContext']>;

export async function peerContext(): Promise<SourceContext> {
  const proto = new Engine({ name: 'proto', source: PEER_BPMN });
  const [definition] = await proto.getDefinitions();
  return (definition as unknown as { environment: { options: { source: SourceContext } } }).environment.options.source;
}

export async function createPeerTable(side: Side): Promise<void> {
  await side.db.schema.createTable(PEER_TABLE, (t) => {
    t.increments('id').primary();
    t.string('code', 40).notNullable().unique();
    t.string('task', 40).notNullable();
    t.text('state').notNullable();
    t.integer('version').notNullable();
  });
}


function nextWait(engine: Engine): Promise<string> {
  return new Promise((resolve) => {
    engine.broker.subscribeOnce('event', 'activity.wait', (_route, msg) => resolve(String((msg.content as { id: string }).id)));
  });
}

function stateJson(state: { definitions: { source?: unknown }[] }): string {
  for (const d of state.definitions) delete d.source;
  return JSON.stringify(state);
}

/** One branch started and run to its first wait; its state and the task it waits in. */
async function startOne(context: SourceContext, code: string): Promise<{ task: string; state: string }> {
  const engine = new Engine({ name: code, sourceContext: context });
  const waiting = nextWait(engine);
  await engine.execute();
  const task = await waiting;
  const state = stateJson(await engine.getState());
  await engine.stop();
  return { task, state };
}

/** Launch in the peer: every branch's engine started, its state saved, 500 branches per transaction (as our launch). */
export async function peerLaunch(side: Side, context: SourceContext, codes: string[]): Promise<void> {
  for (let i = 0; i < codes.length; i += 500) {
    const part = codes.slice(i, i + 500);
    await side.db.transaction(async (trx) => {
      for (const code of part) {
        const { task, state } = await startOne(context, code);
        await trx(PEER_TABLE).insert({ code, task, state, version: 1 });
      }
    });
  }
}

/** One event in the peer, one transaction: the state read (locked on PostgreSQL), recovered, the waiting task signalled, the new state saved. */
export async function peerSignal(side: Side, context: SourceContext, code: string): Promise<void> {
  await side.db.transaction(async (trx) => {
    const q = trx(PEER_TABLE).where({ code }).first();
    const row = (await (side.pg ? q.forUpdate() : q)) as { id: number; task: string; state: string; version: number };
    const engine = new Engine({ name: code, sourceContext: context }).recover(JSON.parse(row.state));
    const execution = await engine.resume();
    const [task] = execution.getPostponed();
    if (!task || task.id !== row.task) throw new Error(`peer ${code}: waiting in ${task?.id}, expected ${row.task}`);
    const waiting = nextWait(engine);
    execution.signal({ id: task.id });
    const next = await waiting;
    const state = stateJson(execution.getState());
    await engine.stop();
    const n = await trx(PEER_TABLE).where({ id: row.id, version: row.version }).update({ task: next, state, version: row.version + 1 });
    if (n !== 1) throw new Error('lost race');
  });
}
