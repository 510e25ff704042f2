import type { Migration, MigrationProvider } from 'kysely/migration';
import * as decisions from './0001_decisions.ts';
import * as handoffs from './0002_handoffs.ts';
import * as contactScores from './0003_contact_scores.ts';
import * as routingAndAccounts from './0004_routing_and_accounts.ts';
import * as contactState from './0005_contact_state.ts';
import * as outcomes from './0006_outcomes.ts';
import * as campaigns from './0007_campaigns.ts';
import * as sla from './0008_sla.ts';
import * as report from './0009_report.ts';
import * as configVersions from './0010_config_versions.ts';

/**
 * Every migration, in order. Adding a table is one new file here plus one line below; the
 * names sort lexically, which is the order kysely applies them in.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_decisions': decisions,
  '0002_handoffs': handoffs,
  '0003_contact_scores': contactScores,
  '0004_routing_and_accounts': routingAndAccounts,
  '0005_contact_state': contactState,
  '0006_outcomes': outcomes,
  '0007_campaigns': campaigns,
  '0008_sla': sla,
  '0009_report': report,
  '0010_config_versions': configVersions,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
