import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigDirOrThrow, type ConfigLocate } from '../../src/config/load.ts';
import type { LeadloopConfig } from '../../src/domain/config/index.ts';

export const SHIPPED_CONFIG_DIR = join(import.meta.dirname, '../../config');

/** The shipped config/, its version and where each of its settings is (line, column). */
export function shippedConfig(): Promise<{ config: LeadloopConfig; version: string; locate: ConfigLocate }> {
  return loadConfigDirOrThrow(SHIPPED_CONFIG_DIR);
}

/**
 * A copy of the shipped config/ in a temporary folder with `edits` applied (file name → a change of
 * its text), for tests that need a setting the shipped files do not have.
 */
export function shippedConfigCopy(edits: Record<string, (text: string) => string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-config-'));
  cpSync(SHIPPED_CONFIG_DIR, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const path = join(dir, file);
    const before = readFileSync(path, 'utf8');
    const after = edit(before);
    if (after === before) throw new Error(`shippedConfigCopy: the edit of ${file} changed nothing`);
    writeFileSync(path, after);
  }
  return dir;
}

/** The whole seeded history handed off, as before the gentle first install (backfill.handoff_within of a year). */
export const HAND_OFF_ALL_HISTORY = { 'sync.yaml': (text: string) => text.replace('backfill: { handoff_within: 30d }', 'backfill: { handoff_within: 365d }') };
