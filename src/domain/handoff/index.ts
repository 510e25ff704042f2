export { candidateTaskKeys, planHandoffs } from './plan-handoffs.ts';
export { NEW_LEAD_ID, planScores, planWriteback, type LandedRecord } from './plan-writeback.ts';
export { ownerIdOf, ownerLabelOf, routeBatch, type RouteBatchInput, type RoutedBatch } from './route-batch.ts';
export type * from './types.ts';
