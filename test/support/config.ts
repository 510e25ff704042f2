import { join } from 'node:path';
import { loadConfigDirOrThrow } from '../../src/config/load.ts';
import type { LeadloopConfig } from '../../src/domain/config/index.ts';

export const SHIPPED_CONFIG_DIR = join(import.meta.dirname, '../../config');

/** The shipped config/ and its version. */
export function shippedConfig(): Promise<{ config: LeadloopConfig; version: string }> {
  return loadConfigDirOrThrow(SHIPPED_CONFIG_DIR);
}
