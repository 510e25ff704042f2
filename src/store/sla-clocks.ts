import { type Kysely, sql } from 'kysely';
import type { ClocklessHandoff, Escalation, OpenClock, StartedClock, TouchKind } from '../domain/sla/types.ts';
import type { LedgerSchema } from './schema.ts';

const time = (value: Date | string | null): number | null => (value === null ? null : new Date(value).getTime());

/**
 * The ledger's SLA clocks (sla_clocks, one per hand-off that has an SLA): which hand-offs still
 * need one, the clocks still running, and what each check found and did. Every write is keyed by
 * the hand-off and conditional on the state it moves from, so a rerun changes nothing twice.
 */
export class SlaClockStore {
  readonly #db: Kysely<LedgerSchema>;

  constructor(db: Kysely<LedgerSchema>) {
    this.#db = db;
  }

  /** Hand-offs made since `since`, of the grades an SLA covers, with an owner and no clock yet, in id order after `afterId`. */
  async handoffsWithoutClock(options: { since: number; limit: number; grades: readonly string[]; afterId?: string }): Promise<ClocklessHandoff[]> {
    if (options.grades.length === 0) return [];
    let query = this.#db
      .selectFrom('handoffs as h')
      .leftJoin('sla_clocks as c', 'c.handoff_id', 'h.id')
      .select(['h.id', 'h.hubspot_contact_id', 'h.handoff_key', 'h.salesforce_object', 'h.salesforce_id', 'h.owner_id', 'h.grade', 'h.source', 'h.handed_off_at'])
      .where('c.handoff_id', 'is', null)
      .where('h.handed_off_at', '>=', new Date(options.since))
      .where('h.grade', 'in', [...options.grades])
      .where('h.owner_id', 'is not', null)
      .where('h.salesforce_id', '!=', 'erased')
      .orderBy('h.id')
      .limit(options.limit);
    if (options.afterId !== undefined) query = query.where('h.id', '>', Number(options.afterId));
    const rows = await query.execute();
    return rows.map((r) => ({
      handoffId: String(r.id),
      contactId: r.hubspot_contact_id,
      handoffKey: r.handoff_key,
      object: r.salesforce_object,
      salesforceId: r.salesforce_id,
      ownerId: r.owner_id,
      grade: r.grade as ClocklessHandoff['grade'],
      source: r.source,
      handedOffAt: new Date(r.handed_off_at).getTime(),
    }));
  }

  /** Stores started clocks (a clock already there is left as it is); returns how many were stored. */
  async startClocks(clocks: readonly StartedClock[]): Promise<number> {
    if (clocks.length === 0) return 0;
    const result = await this.#db
      .insertInto('sla_clocks')
      .values(
        clocks.map((c) => ({
          handoff_id: c.handoffId,
          hubspot_contact_id: c.contactId,
          salesforce_object: c.object,
          salesforce_id: c.salesforceId,
          owner_id: c.ownerId,
          owner_label: c.ownerLabel,
          team: c.team,
          temperature: c.temperature,
          policy: c.policy,
          started_at: new Date(c.startedAt),
          remind_at: c.remindAt === null ? null : new Date(c.remindAt),
          due_at: new Date(c.dueAt),
          assigned_owner_id: c.assignedOwnerId,
        })),
      )
      .onConflict((oc) => oc.column('handoff_id').doNothing())
      .returning('handoff_id')
      .execute();
    return result.length;
  }

  /**
   * Clocks not stopped by a first touch whose due time is at or after `watchSince`, in id order
   * after `afterId`; with `dueBy`, only those with a reminder, a breach or an unfinished
   * escalation due by then (a wake-up looks at those; the sweep at all).
   */
  async openClocks(options: { watchSince: number; limit: number; afterId?: string; dueBy?: number }): Promise<(OpenClock & { source: string | null })[]> {
    let query = this.#db
      .selectFrom('sla_clocks as c')
      .innerJoin('handoffs as h', 'h.id', 'c.handoff_id')
      .selectAll('c')
      .select(['h.handoff_key', 'h.source'])
      .where('c.first_touch_at', 'is', null)
      .where('c.due_at', '>=', new Date(options.watchSince))
      .where('c.salesforce_id', '!=', 'erased')
      .orderBy('c.handoff_id')
      .limit(options.limit);
    if (options.afterId !== undefined) query = query.where('c.handoff_id', '>', options.afterId as never);
    if (options.dueBy !== undefined) {
      // Only clocks with something due: a reminder, a breach, or an escalation to finish.
      const by = new Date(options.dueBy);
      query = query.where((eb) =>
        eb.or([
          eb.and([eb('c.breached_at', 'is', null), eb('c.due_at', '<=', by)]),
          eb.and([eb('c.breached_at', 'is', null), eb('c.reminded_at', 'is', null), eb('c.remind_at', '<=', by)]),
          eb.and([eb('c.breached_at', 'is not', null), sql<boolean>`c.escalation->>'done' = 'false'`]),
        ]),
      );
    }
    const rows = await query.execute();
    return rows.map((r) => ({
      handoffId: String(r.handoff_id),
      contactId: r.hubspot_contact_id,
      handoffKey: r.handoff_key,
      source: r.source,
      object: r.salesforce_object,
      salesforceId: r.salesforce_id,
      ownerId: r.owner_id,
      ownerLabel: r.owner_label ?? r.owner_id,
      team: r.team,
      temperature: r.temperature,
      policy: r.policy,
      startedAt: time(r.started_at)!,
      remindAt: time(r.remind_at),
      dueAt: time(r.due_at)!,
      assignedOwnerId: r.assigned_owner_id,
      remindedAt: time(r.reminded_at),
      breachedAt: time(r.breached_at),
      escalation: (typeof r.escalation === 'string' ? JSON.parse(r.escalation) : r.escalation) as Escalation | null,
      restartedAt: time(r.restarted_at),
    }));
  }

  /** The first touch stopped the clock (and, touched after its breach time unseen, the breach is recorded as not escalated). */
  async recordTouch(handoffId: string, touch: { at: number; by: string | null; kind: TouchKind }, lateBreach?: { at: number; escalation: Escalation }): Promise<void> {
    await this.#db
      .updateTable('sla_clocks')
      .set({
        first_touch_at: new Date(touch.at),
        first_touch_by: touch.by,
        first_touch_kind: touch.kind,
        ...(lateBreach
          ? { breached_at: sql<Date>`coalesce(breached_at, ${new Date(lateBreach.at)})`, escalation: sql<string>`coalesce(escalation, ${JSON.stringify(lateBreach.escalation)}::jsonb)` }
          : {}),
      })
      .where('handoff_id', '=', handoffId as never)
      .where('first_touch_at', 'is', null)
      .execute();
  }

  /** A person gave the record to someone else before the breach: the clock starts again for them. */
  async recordRestart(
    handoffId: string,
    restart: { at: number; ownerId: string; ownerLabel: string; team: string | null; policy: string; remindAt: number | null; dueAt: number; assignedOwnerId: string },
  ): Promise<void> {
    await this.#db
      .updateTable('sla_clocks')
      .set({
        owner_id: restart.ownerId,
        owner_label: restart.ownerLabel,
        team: restart.team,
        policy: restart.policy,
        restarted_at: new Date(restart.at),
        remind_at: restart.remindAt === null ? null : new Date(restart.remindAt),
        reminded_at: null,
        due_at: new Date(restart.dueAt),
        assigned_owner_id: restart.assignedOwnerId,
      })
      .where('handoff_id', '=', handoffId as never)
      .where('breached_at', 'is', null)
      .where('first_touch_at', 'is', null)
      .execute();
  }

  async recordReminded(handoffId: string, at: number): Promise<void> {
    await this.#db
      .updateTable('sla_clocks')
      .set({ reminded_at: new Date(at) })
      .where('handoff_id', '=', handoffId as never)
      .where('reminded_at', 'is', null)
      .execute();
  }

  /**
   * Records a breach and its planned escalation before any of its writes (a crash then resumes the
   * same escalation, never a second one); returns false when a breach was already recorded.
   */
  async recordBreach(handoffId: string, at: number, escalation: Escalation): Promise<boolean> {
    const result = await this.#db
      .updateTable('sla_clocks')
      .set({ breached_at: new Date(at), escalation: JSON.stringify(escalation) })
      .where('handoff_id', '=', handoffId as never)
      .where('breached_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** After the escalation's writes landed: done, and the new owner is leadloop's assignment. */
  async finishEscalation(handoffId: string, escalation: Escalation, assignedOwnerId: string | undefined): Promise<void> {
    await this.#db
      .updateTable('sla_clocks')
      .set({ escalation: JSON.stringify({ ...escalation, done: true }), ...(assignedOwnerId ? { assigned_owner_id: assignedOwnerId } : {}) })
      .where('handoff_id', '=', handoffId as never)
      .execute();
  }

  async markChecked(handoffIds: readonly string[], at: number): Promise<void> {
    if (handoffIds.length === 0) return;
    await this.#db
      .updateTable('sla_clocks')
      .set({ checked_at: new Date(at) })
      .where('handoff_id', 'in', handoffIds as never)
      .execute();
  }
}
