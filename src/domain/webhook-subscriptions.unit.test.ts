import { beforeAll, describe, expect, it } from 'vitest';
import type { LeadloopConfig } from './config/index.ts';
import { shippedConfig } from '../../test/support/config.ts';
import { ignoredWebhookProperties, webhookPropertySubscriptions } from './webhook-subscriptions.ts';

describe('webhook subscriptions (the shipped config)', () => {
  let config: LeadloopConfig;
  beforeAll(async () => {
    config = (await shippedConfig()).config;
  });

  it('subscribes to the properties the rules read and never to those leadloop writes', () => {
    const subscribed = webhookPropertySubscriptions(config);
    expect(subscribed).toEqual(expect.arrayContaining(['lead_source', 'jobtitle', 'bant_budget', 'email']));
    for (const own of Object.values(config.mapping.hubspot_writeback)) expect(subscribed).not.toContain(own);
    expect(subscribed).not.toContain('lastmodifieddate');
  });

  it('ignores changes of the write-back properties and of lastmodifieddate', () => {
    expect(ignoredWebhookProperties(config)).toEqual(new Set([...Object.values(config.mapping.hubspot_writeback), 'lastmodifieddate', 'hs_lastmodifieddate']));
  });
});
