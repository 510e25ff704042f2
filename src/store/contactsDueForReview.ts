import type { Kysely } from 'kysely';
import type { LedgerSchema } from './schema.ts';

/** Where the last page ended: the next page starts after this (review_at, id). */
export interface ReviewCursor {
  reviewAt: Date;
  id: string;
}

export interface DueContact {
  hubspot_contact_id: string;
  review_at: Date;
  grade: 'hot' | 'warm' | 'cold';
  mql: boolean;
}

/**
 * Contacts whose grade or MQL state decay may have changed by `now` (review_at ≤ now), oldest
 * first, one page of `limit` after `after`. Keyset paging on (review_at, id): a contact re-graded
 * in between moves past `now` and leaves the range, one that failed stays behind the cursor, so
 * neither shifts nor repeats a page.
 */
export async function contactsDueForReview(db: Kysely<LedgerSchema>, options: { now: Date | number; limit: number; after?: ReviewCursor }): Promise<DueContact[]> {
  const now = new Date(options.now);
  let query = db.selectFrom('contact_scores').select(['hubspot_contact_id', 'review_at', 'grade', 'mql']).where('review_at', 'is not', null).where('review_at', '<=', now);
  const after = options.after;
  if (after) query = query.where((eb) => eb(eb.refTuple('review_at', 'hubspot_contact_id'), '>', eb.tuple(after.reviewAt, after.id)));
  const rows = await query.orderBy('review_at').orderBy('hubspot_contact_id').limit(options.limit).execute();
  return rows as DueContact[];
}

export function cursorAfter(page: readonly DueContact[]): ReviewCursor | undefined {
  const last = page[page.length - 1];
  return last ? { reviewAt: last.review_at, id: last.hubspot_contact_id } : undefined;
}
