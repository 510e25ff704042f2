import type { MappingConfig } from './mapping.ts';
import type { RoutingConfig } from './routing.ts';
import type { ScoringConfig } from './scoring.ts';
import type { SyncConfig } from './sync.ts';

/** The four admin-edited files, validated. */
export interface LeadloopConfig {
  scoring: ScoringConfig;
  routing: RoutingConfig;
  mapping: MappingConfig;
  sync: SyncConfig;
}
