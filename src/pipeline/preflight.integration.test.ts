import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigDirOrThrow } from '../config/load.ts';
import type { LeadloopConfig } from '../domain/config/index.ts';
import { composeAdapters } from '../app.ts';
import { OPEN_GATE } from '../api-gate.ts';
import { loadEnv } from '../config/env.ts';
import type { HubSpotContacts } from '../hubspot/hubspot-contacts.ts';
import { RedisKeys } from '../redis-keys.ts';
import { startSandbox, type Sandbox } from '../sandbox/server.ts';
import { PreflightCacheStore } from '../store/preflight-cache.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';
import { cachedPreflight, preflight, type CachedPreflight, type PreflightDeps } from './preflight.ts';
import { setupHubSpot } from './setup.ts';

let sandbox: Sandbox;
let redis: Redis;
let prefix: string;
let config: LeadloopConfig;
let version: string;

beforeEach(async () => {
  ({ config, version } = await loadConfigDirOrThrow(join(import.meta.dirname, '../../config')));
  redis = testConnection();
  prefix = uniqueTestPrefix('preflight');
  sandbox = await startSandbox({ contacts: 40, seed: 5, salesforce: { fieldHistoryTracking: ['Lead.Status'] } });
});
afterEach(async () => {
  await sandbox?.close();
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

let portal: HubSpotContacts;

async function deps(overrides: { config?: LeadloopConfig; setup?: boolean } = {}): Promise<PreflightDeps> {
  const info = sandbox.connectionInfo();
  const env = loadEnv({ ...info.env, SALESFORCE_ACCESS_TOKEN: info.salesforce.accessToken }, { needs: ['hubspot', 'salesforce'] });
  const { hubspot, deals, salesforce, feedback } = await composeAdapters(env, config, OPEN_GATE);
  portal = hubspot;
  if (overrides.setup !== false) await setupHubSpot(hubspot, deals, config.mapping);
  return { portal: hubspot, deals, org: salesforce, feedback, config: overrides.config ?? config, configVersion: version };
}

const cache = () => new PreflightCacheStore<CachedPreflight>(redis, prefix);

/** The default config with changes; the parsed config is plain data, so a deep copy is enough. */
function changed(edit: (c: LeadloopConfig) => void): LeadloopConfig {
  const copy = structuredClone(config);
  edit(copy);
  return copy;
}

function deactivate(email: string): void {
  const user = sandbox.salesforce.org.findByField('User', 'Email', email)[0]!;
  user.IsActive = false;
}

describe('preflight against the sandbox', () => {
  it('passes the default setup with no problem, in 14 calls', async () => {
    const d = await deps();
    sandbox.requestLog.reset();
    const result = await preflight(d);
    expect(result).toEqual({ blocking: [], warnings: [] });
    const calls = sandbox.requestLog.snapshot();
    expect(calls.hubspot).toEqual({ 'properties.list': 1, 'contacts.search': 1, 'deals.properties.list': 1, 'deals.search': 1, 'pipelines.deals.get': 1 });
    expect(calls.salesforce).toEqual({ 'sobjects.describe': 6, query: 3 });
  });

  it('before setup, the missing write-back properties are blocking and say to run setup', async () => {
    const result = await preflight(await deps({ setup: false }));
    expect(result.blocking.map((b) => b.code)).toEqual(['hubspot-writeback-missing', 'hubspot-deal-property-missing', 'hubspot-deal-property-missing']);
    expect(result.blocking[0]).toMatchObject({ fix: expect.stringContaining('leadloop setup') });
    expect(result.blocking[0]!.subject).toContain('leadloop_score');
    // The feedback's deal properties block the feedback alone: the lead sync may go on without them.
    expect(result.blocking.slice(1).map((b) => [b.subject, b.feedbackOnly])).toEqual([
      ['HubSpot deal property leadloop_salesforce_opportunity_id', true],
      ['HubSpot deal property leadloop_competitor', true],
    ]);
  });

  it('a mapping naming a field Lead does not have is blocking, with the field named', async () => {
    const result = await preflight(await deps({ config: changed((c) => c.mapping.lead.fields.push({ salesforce: 'Favourite_Colour__c', hubspot: 'jobtitle', max_length: 40, on: 'always' })) }));
    expect(result.blocking).toEqual([
      {
        subject: 'Lead.Favourite_Colour__c',
        problem: 'no such field on Lead (named in mapping.yaml lead.fields)',
        fix: expect.stringContaining('remove "Favourite_Colour__c" from mapping.yaml lead.fields'),
      },
    ]);
  });

  it('a wrong type is blocking; a field shorter than the mapping allows is a warning', async () => {
    const config2 = changed((c) => {
      const city = c.mapping.lead.fields.find((f) => f.salesforce === 'City')!;
      city.max_length = 90; // Lead.City holds 40
      c.mapping.lead.fields.find((f) => f.salesforce === 'Lead_Grade__c')!.from = 'handoff_reason'; // Text(10), free text, no max_length
      c.mapping.lead.fields.push({ salesforce: 'ConvertedDate', hubspot: 'jobtitle', on: 'always' }); // read-only
      c.mapping.lead.fields.find((f) => f.salesforce === 'Lead_Score__c')!.from = 'grade'; // a number field
    });
    const result = await preflight(await deps({ config: config2 }));
    expect(result.warnings.map((w) => w.subject).sort()).toEqual(['Lead.City', 'Lead.Lead_Grade__c']);
    expect(result.warnings.find((w) => w.subject === 'Lead.City')).toMatchObject({
      problem: expect.stringContaining('holds 40 characters but mapping.yaml allows up to 90'),
      fix: expect.stringContaining('set max_length: 40'),
    });
    expect(result.warnings.find((w) => w.subject === 'Lead.Lead_Grade__c')!.problem).toContain('sets no max_length');
    expect(result.blocking.map((b) => b.subject)).toEqual(['Lead.Lead_Score__c', 'Lead.ConvertedDate']);
    expect(result.blocking[0]!.problem).toBe('a double field, but mapping.yaml puts values like "hot", "warm", "cold" in it: Salesforce refuses those values');
    expect(result.blocking[1]!.problem).toContain('cannot set this field');
  });

  it('an inactive owner is blocking as the fallback, a warning where routing falls back from them', async () => {
    deactivate('dana.whitfield@copperleaf.example');
    // Default routing: Dana owns rule enterprise-na; the inbound queue is the fallback.
    const withQueueFallback = await preflight(await deps());
    expect(withQueueFallback.blocking).toEqual([]);
    expect(withQueueFallback.warnings).toEqual([
      expect.objectContaining({
        subject: 'routing owner dana.whitfield@copperleaf.example',
        problem: expect.stringMatching(/inactive \(rule enterprise-na\); routing skips them and .*queue inbound/),
      }),
    ]);

    const ownerFallback = changed((c) => {
      c.routing.fallback = { assign: 'owner', owner: 'dana.whitfield@copperleaf.example', notify: [] };
    });
    const result = await preflight(await deps({ config: ownerFallback }));
    expect(result.blocking).toEqual([
      {
        subject: 'routing fallback owner dana.whitfield@copperleaf.example',
        problem: expect.stringContaining('the Salesforce user Dana Whitfield is inactive; the fallback has nothing behind it'),
        fix: expect.stringContaining('activate the user'),
      },
    ]);
  });

  it('an owner or queue Salesforce does not know is blocking where routing would send leads to them', async () => {
    const config2 = changed((c) => {
      c.routing.owners.push({ email: 'new.hire@copperleaf.example', name: 'New Hire', active: true });
      c.routing.teams.smb!.members.push('new.hire@copperleaf.example');
      c.routing.queues.partners = { salesforce_queue: 'Partner_Leads_Old' };
    });
    const result = await preflight(await deps({ config: config2 }));
    // In routing order: rule partner-referral (the queue) comes before rule smb.
    expect(result.blocking.map((b) => b.subject)).toEqual(['routing queue partners', 'routing owner new.hire@copperleaf.example']);
    expect(result.blocking[0]!.problem).toContain('no Salesforce queue has the DeveloperName Partner_Leads_Old (rule partner-referral)');
    expect(result.blocking[1]!.problem).toContain('no Salesforce user has this email or username (team smb, rule smb)');
  });

  it("warns when HubSpot's Salesforce connector has synced a contact; a portal without its properties is no connector", async () => {
    const d = await deps();
    // The sandbox portal has no salesforce* properties: the search answers 400, which means no connector.
    expect((await preflight(d)).warnings).toEqual([]);
    // Each preflight makes two searches; HubSpot allows five a second (production paces them through the budget gate).
    const searchWindow = () => new Promise((r) => setTimeout(r, 1_100));
    await searchWindow();

    await portal.ensureProperties({ name: 'contactinformation', label: 'Contact information' }, [
      { name: 'salesforcelastsynctime', label: 'Last Salesforce Sync Time', type: 'datetime', fieldType: 'date' },
    ]);
    expect((await preflight(d)).warnings).toEqual([]);
    await searchWindow();
    sandbox.hubspot.updateContact('1007', { salesforcelastsynctime: new Date().toISOString(), salesforceleadid: '00Q5g00000AbCdEFGH' });
    const result = await preflight(d);
    expect(result.blocking).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.subject).toBe('HubSpot contacts (Salesforce connector)');
    expect(result.warnings[0]!.problem).toContain('contact 1007 has salesforcelastsynctime=');
  });

  it('is cached in Redis for 10 minutes per config version: a cached answer costs no call', async () => {
    const d = await deps();
    const first = await cachedPreflight(d, cache());
    expect(first.cached).toBe(false);
    expect(await redis.pttl(new RedisKeys(prefix).preflight())).toBeGreaterThan(9 * 60_000);
    sandbox.requestLog.reset();
    const second = await cachedPreflight(d, cache());
    expect(second).toMatchObject({ cached: true, blocking: [], warnings: [] });
    const calls = sandbox.requestLog.snapshot();
    expect([calls.hubspot, calls.salesforce]).toEqual([{}, {}]);

    deactivate('marco.bellini@copperleaf.example');
    // A new config version checks again at once.
    const other = await cachedPreflight({ ...d, configVersion: `${version}-changed` }, cache());
    expect(other.cached).toBe(false);
    expect(other.warnings.map((w) => w.subject)).toEqual(['routing owner marco.bellini@copperleaf.example']);
  });
});
