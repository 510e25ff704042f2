import type { z } from 'zod';
import { mappingConfigSchema } from '../domain/config/mapping.ts';
import { routingConfigSchema } from '../domain/config/routing.ts';
import { scoringConfigSchema } from '../domain/config/scoring.ts';
import { syncConfigSchema } from '../domain/config/sync.ts';
import type { ConfigFileName } from './cross-check.ts';

/** The four admin-edited files and the schema of each: the single source of their rules. */
export const CONFIG_FILES: Record<ConfigFileName, { file: string; schema: z.ZodType; title: string }> = {
  scoring: { file: 'scoring.yaml', schema: scoringConfigSchema, title: 'leadloop scoring rules' },
  routing: { file: 'routing.yaml', schema: routingConfigSchema, title: 'leadloop routing rules' },
  mapping: { file: 'mapping.yaml', schema: mappingConfigSchema, title: 'leadloop field mapping' },
  sync: { file: 'sync.yaml', schema: syncConfigSchema, title: 'leadloop sync, budgets, SLA and playbook' },
};

export const CONFIG_FILE_NAMES = Object.keys(CONFIG_FILES) as ConfigFileName[];
