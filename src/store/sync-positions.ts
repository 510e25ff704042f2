import type { SyncState } from './sync-state.ts';

/** Each flow's position in time (epoch ms of the newest record it has taken), undefined before its first run: the sync lag is now minus this. */
export async function syncPositions(state: SyncState): Promise<Record<'leads' | 'lead-status' | 'opportunities', number | undefined>> {
  const [leads, leadStatus, opportunities] = await Promise.all([state.cursor(), state.feedbackCursor('lead-status'), state.feedbackCursor('opportunities')]);
  return { leads: leads?.at, 'lead-status': leadStatus?.modstamp, opportunities: opportunities?.modstamp };
}
