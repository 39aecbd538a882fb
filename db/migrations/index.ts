// Migrations are listed here rather than discovered on disk, so the same list runs
// under tsx, vitest and the CLI. Append only: a landed migration is never edited.
import type { Knex } from 'knex';
import * as m01 from './20261124_01_create_people';
import * as m02 from './20261124_02_create_cycles_and_branch_reviews';
import * as m03 from './20261124_03_create_audit_outbox_timers';
import * as m04 from './20261124_04_create_idempotency_and_ballots';
import * as m05 from './20261124_05_create_web_tables';
import * as m06 from './20261125_01_audit_chain';
import * as m07 from './20261125_02_account_hygiene';
import * as m08 from './20261125_03_cycle_roster';
import * as m09 from './20261126_01_deactivated_users_deleted_drafts';
import * as m20261128_01 from './20261128_01_branch_review_segments';
import * as m20261127_01 from './20261127_01_problems_and_evidence';
import * as m20261128_02 from './20261128_02_outbox_channel';
import * as m20261127_02 from './20261127_02_meeting';
import * as m20261128_03 from './20261128_03_cycle_kinds';
import * as m20261202_01 from './20261202_01_branch_review_tallies';
import * as m20261203_01 from './20261203_01_outbox_claim_order';
import * as m20261204_01 from './20261204_01_outbox_claim_covering';

type Migration = { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> };

const migrations: Record<string, Migration> = {
  '20261124_01_create_people': m01,
  '20261124_02_create_cycles_and_branch_reviews': m02,
  '20261124_03_create_audit_outbox_timers': m03,
  '20261124_04_create_idempotency_and_ballots': m04,
  '20261124_05_create_web_tables': m05,
  '20261125_01_audit_chain': m06,
  '20261125_02_account_hygiene': m07,
  '20261125_03_cycle_roster': m08,
  '20261126_01_deactivated_users_deleted_drafts': m09,
  '20261128_01_branch_review_segments': m20261128_01,
  '20261127_01_problems_and_evidence': m20261127_01,
  '20261128_02_outbox_channel': m20261128_02,
  '20261127_02_meeting': m20261127_02,
  '20261128_03_cycle_kinds': m20261128_03,
  '20261202_01_branch_review_tallies': m20261202_01,
  '20261203_01_outbox_claim_order': m20261203_01,
  '20261204_01_outbox_claim_covering': m20261204_01,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
