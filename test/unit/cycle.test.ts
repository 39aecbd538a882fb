import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { cycleMachine, type CycleEvent } from '../../workflows/cycle';

const LAUNCH: CycleEvent = { type: 'LAUNCH', by: 'off' };
const PUBLISH: CycleEvent = { type: 'PUBLISH_RESULTS', by: 'off', data: { unscored: [] } };
const PUBLISH_EARLY: CycleEvent = { type: 'PUBLISH_RESULTS', by: 'off', data: { unscored: ['B02'] } };
const ARCHIVE: CycleEvent = { type: 'ARCHIVE', by: 'system', data: { open: 0 } };
const ARCHIVE_EARLY: CycleEvent = { type: 'ARCHIVE', by: 'system', data: { open: 3 } };
const all = { LAUNCH, PUBLISH, PUBLISH_EARLY, ARCHIVE, ARCHIVE_EARLY };

function run(events: CycleEvent[]): AnyMachineSnapshot {
  let [s] = initialTransition(cycleMachine);
  for (const e of events) [s] = transition(cycleMachine, s, e);
  return s;
}

const cases: [string, CycleEvent[], (keyof typeof all)[]][] = [
  ['draft', [], ['LAUNCH']],
  ['launched', [LAUNCH], ['PUBLISH', 'ARCHIVE']],
  ['resultsPublished', [LAUNCH, PUBLISH], ['ARCHIVE']],
  ['archived', [LAUNCH, PUBLISH, ARCHIVE], []],
];

describe('cycle statechart', () => {
  for (const [state, path, accepted] of cases) {
    describe(`in ${state}`, () => {
      const s = run(path);
      it('is there', () => expect(s.value).toBe(state));
      for (const [name, event] of Object.entries(all)) {
        const ok = accepted.includes(name as keyof typeof all);
        it(`${ok ? 'accepts' : 'refuses'} ${name}`, () => expect(s.can(event)).toBe(ok));
      }
    });
  }

  it('tells the leaders when results are published', () => {
    const [, actions] = transition(cycleMachine, run([LAUNCH]), PUBLISH);
    expect(actions.map((a) => a.params)).toEqual([{ template: 'resultsPublished', to: ['leaders'] }]);
  });

  it('archives straight from launched when every branch was exempted', () => {
    expect(transition(cycleMachine, run([LAUNCH]), ARCHIVE)[0].value).toBe('archived');
  });
});
