import { join } from 'node:path';
import { loadConfigDirOrThrow, type ConfigLocate } from '../../src/config/load.ts';
import type { LeadloopConfig } from '../../src/domain/config/index.ts';

export const SHIPPED_CONFIG_DIR = join(import.meta.dirname, '../../config');

/** The shipped config/, its version and where each of its settings is (line, column). */
export function shippedConfig(): Promise<{ config: LeadloopConfig; version: string; locate: ConfigLocate }> {
  return loadConfigDirOrThrow(SHIPPED_CONFIG_DIR);
}
