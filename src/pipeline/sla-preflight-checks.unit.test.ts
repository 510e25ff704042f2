import { describe, expect, it } from 'vitest';
import { shippedConfig } from '../../test/support/config.ts';
import type { DescribedObject } from '../domain/setup.ts';
import { checkSla } from './sla-preflight-checks.ts';

const task = (fields: string[]): DescribedObject => new Map(fields.map((name) => [name.toLowerCase(), { name } as never]));

describe('the SLA clock in setup', () => {
  it('is content with the shipped config on an org with CompletedDateTime and Status history', async () => {
    const { config } = await shippedConfig();
    expect(checkSla(config, task(['Id', 'CompletedDateTime']), true)).toEqual({ blocking: [], warnings: [] });
  });
  it('warns that tasks are dated by their last change before API 59.0, and that status changes go unseen without history', async () => {
    const { config } = await shippedConfig();
    const result = checkSla(config, task(['Id']), false);
    expect(result.blocking).toEqual([]);
    expect(result.warnings.map((w) => w.subject)).toEqual(['Task.CompletedDateTime', 'Lead.Status history']);
  });
  it('names a queue the rules route to that has no manager', async () => {
    const config = structuredClone((await shippedConfig()).config);
    delete config.routing.queues.partners!.manager;
    const result = checkSla(config, task(['CompletedDateTime']), true);
    expect(result.warnings).toEqual([expect.objectContaining({ subject: 'routing queue partners', fix: expect.stringContaining('queues.partners') })]);
  });
  it('says nothing when no SLA is set', async () => {
    const config = structuredClone((await shippedConfig()).config);
    config.sync.sla = { ...config.sync.sla, hot: undefined, warm: undefined, cohorts: [] };
    expect(checkSla(config, task([]), false)).toEqual({ blocking: [], warnings: [] });
  });
});
