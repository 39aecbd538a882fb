// Helpers for driving a cycle of the reference configuration through the engine.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { actorByEmail } from '../../src/engine/actors';
import type { EventAnswer } from '../../src/engine/engine';
import type { Services } from '../../src/services';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository's own examples/: the 2020 cycle, the branch and panel CSVs and their Excel templates. */
export const examplesDir = path.resolve(here, '../../examples');
export const exampleConfigPath = path.join(examplesDir, 'cycle-2020.json');
export const exampleBranchesCsv = path.join(examplesDir, 'branches.csv');
export const examplePanelCsv = path.join(examplesDir, 'panel.csv');

export function exampleConfig(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(exampleConfigPath, 'utf8'));
}

export const OFFICE = 'office@example.org';

/** A rubric sheet worth `100 - deduction` points, the deduction taken from 党建工作成效. */
export const sheet = (total: number) => ({
  effectiveness: 30 - (100 - total),
  integration: 30,
  highlights: 15,
  problems: 15,
  presentation: 10,
});

export function driver(s: Services) {
  const send = async (as: string, branch: string, type: string, data: unknown, now: string): Promise<EventAnswer> =>
    s.engine.sendBranchEvent({ cycle: 2020, branch, type, data, actor: await actorByEmail(s.db, as), now });
  return {
    send,
    office: (branch: string, type: string, data: unknown, now: string) => send(OFFICE, branch, type, data, now),
    secretary: (branch: string, type: string, data: unknown, now: string) =>
      send(`${branch.toLowerCase()}@example.org`, branch, type, data, now),
    async create(now = '2020-11-19T02:00:00Z', overrides: Record<string, unknown> = {}) {
      return s.engine.createCycle({ ...exampleConfig(), ...overrides }, await actorByEmail(s.db, OFFICE).catch(() => bootstrapOffice(s)), now);
    },
    async launch(now: string) {
      return s.engine.launchCycle(2020, await actorByEmail(s.db, OFFICE), { now });
    },
  };
}

/** The first office user exists before any cycle does (as `user add --role office` makes it). */
export async function bootstrapOffice(s: Services) {
  const { upsertUser, addRole } = await import('../../src/store/users');
  const { user } = await upsertUser(s.db, { email: OFFICE, name: '党委办公室' }, new Date().toISOString());
  await addRole(s.db, user.id, 'office');
  return actorByEmail(s.db, OFFICE);
}
