import { type Kysely, sql } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/** The hand-off key of a decision that held a contact back because it qualified before install. */
export const BEFORE_INSTALL_KEY = 'before-install';

/**
 * Records contacts held back at install (qualified before it): a decision each, not a hand-off,
 * under a key of its own so a later qualification hands the contact off as its first hand-off.
 * Once per contact; returns how many were recorded now.
 */
export async function recordHeldBack(
  db: Kysely<LedgerSchema>,
  rows: readonly { contactId: string; qualifiedAt: number; score: number; grade: 'hot' | 'warm' | 'cold'; mql: boolean }[],
  context: { decidedAt: number; configVersion: string },
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insertInto('decisions')
    .values(
      rows.map((r) => ({
        hubspot_contact_id: r.contactId,
        handoff_key: BEFORE_INSTALL_KEY,
        decided_at: new Date(context.decidedAt),
        config_version: context.configVersion,
        score: r.score,
        grade: r.grade,
        mql: r.mql,
        handoff: false,
        reason: 'qualified-before-install',
        owner_kind: null,
        owner_id: null,
        owner_email: null,
        rule: null,
        notify: '[]',
        salesforce_id: null,
        rotation_team: null,
        rotation_next: null,
        trace: JSON.stringify([{ rule: 'backfill.handoff_within', matched: true, why: `qualified ${new Date(r.qualifiedAt).toISOString()}, before install` }]),
      })),
    )
    .onConflict((oc) => oc.columns(['hubspot_contact_id', 'handoff_key']).doNothing())
    .returning(sql<number>`1`.as('one'))
    .execute();
  return inserted.length;
}
