import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliAsync } from '../../test/support/cli.ts';
import { deleteKeysWithPrefix, testConnection } from '../../test/support/redis.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/server.ts';

/** The portal of the issue: lead_source options whose internal values are their labels. */
const LABELS_AS_VALUES = {
  lead_source: [
    { label: 'Trade Show', value: 'Trade Show' },
    { label: 'Website', value: 'Website' },
  ],
};

let sandbox: Sandbox | undefined;
let dataDir: string | undefined;
let prefix: string | undefined;
afterEach(async () => {
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (prefix) {
    const redis = testConnection();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  }
  sandbox = dataDir = prefix = undefined;
});

async function portal(options: SandboxOptions): Promise<Record<string, string>> {
  sandbox = await startSandbox(options);
  dataDir = mkdtempSync(join(tmpdir(), 'leadloop-portal-config-'));
  prefix = `test-portal-config-${process.pid}-${Date.now()}`;
  return { ...sandbox.connectionInfo().env, LEADLOOP_PREFIX: prefix, LEADLOOP_DATA_DIR: dataDir, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', LOG_LEVEL: 'silent' };
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

describe('the config against the HubSpot portal', () => {
  it('labels as internal values: setup and `config validate --portal` name exactly which rule values to change', async () => {
    const env = await portal({ contacts: 30, seed: 3, hubspot: { contactPropertyOptions: LABELS_AS_VALUES } });
    // The seeded contacts hold the portal's own values.
    expect(new Set(sandbox!.hubspot.store.all().map((c) => c.properties.lead_source ?? null))).toEqual(new Set(['Trade Show', null]));

    const setup = await runCliAsync(['setup'], env);
    expect(setup.code).toBe(1);
    const report = lastJson(setup.stdout);
    expect(report.ok).toBe(false);
    expect(report.blocking).toEqual([
      {
        subject: 'scoring.yaml:168 mql.immediate_sources.any[0].value[0]',
        problem: "lead_source has no option trade_show; the option labelled 'Trade Show' has the internal value 'Trade Show'",
        fix: "change trade_show to 'Trade Show' in scoring.yaml line 168",
        code: 'config-portal',
      },
      {
        subject: 'scoring.yaml:168 mql.immediate_sources.any[0].value[1]',
        problem: 'lead_source has no option event: no contact ever has this value, so the hand-off rule never matches on it',
        fix: "use one of its internal values in scoring.yaml line 168: 'Trade Show', 'Website'",
        code: 'config-portal',
      },
      {
        subject: 'scoring.yaml:168 mql.immediate_sources.any[0].value[2]',
        problem: 'lead_source has no option demo_request: no contact ever has this value, so the hand-off rule never matches on it',
        fix: "use one of its internal values in scoring.yaml line 168: 'Trade Show', 'Website'",
        code: 'config-portal',
      },
    ]);
    const portalWarnings = report.warnings.filter((w: { code?: string }) => w.code === 'config-portal').map((w: { subject: string }) => w.subject);
    expect(portalWarnings).toEqual([
      'routing.yaml:73 rules[1].when.value',
      ...['trade_show', 'event', 'demo_request', 'web_form', 'webinar'].map((k) => `mapping.yaml:75 lead.fields[12].values.${k}`),
      ...['content_download', 'paid_ads', 'referral', 'other'].map((k) => `mapping.yaml:76 lead.fields[12].values.${k}`),
    ]);
    expect(setup.stderr).toContain(
      "  - scoring.yaml:168 mql.immediate_sources.any[0].value[0]: lead_source has no option trade_show; the option labelled 'Trade Show' has the internal value 'Trade Show'\n    → change trade_show to 'Trade Show' in scoring.yaml line 168",
    );

    // The sync does not write while the hand-off rule cannot hold, and says where to look.
    const sync = await runCliAsync(['sync', 'leads', '--once'], env);
    expect(sync.code).not.toBe(0);
    expect(sync.stderr).toContain("scoring.yaml:168 mql.immediate_sources.any[0].value[0]: lead_source has no option trade_show; the option labelled 'Trade Show' has the internal value 'Trade Show'");
    expect(sandbox!.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c)).toEqual([]);

    const validate = await runCliAsync(['config', 'validate', '--portal'], env);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain(
      "scoring.yaml:168 mql.immediate_sources.any[0].value[0]: blocking: lead_source has no option trade_show; the option labelled 'Trade Show' has the internal value 'Trade Show'\n    → change trade_show to 'Trade Show' in scoring.yaml line 168\n",
    );
    expect(validate.stderr).toContain('scoring.yaml:168 mql.immediate_sources.any[0].value[2]: blocking: lead_source has no option demo_request');
    expect(validate.stderr).toContain(
      "routing.yaml:73 rules[1].when.value: warning: lead_source has no option referral: no contact ever has this value, so the rule never matches on it\n    → use one of its internal values in routing.yaml line 73: 'Trade Show', 'Website'",
    );
    expect(validate.stderr).toMatch(/3 blocking problems \(and 10 warnings\) against the HubSpot portal's \d+ contact properties/);
    expect(validate.stdout).toBe('');

    // Offline, the same files are valid: only --portal reads HubSpot.
    const offline = await runCliAsync(['config', 'validate'], { PATH: process.env.PATH ?? '' });
    expect(offline.code).toBe(0);
    expect(offline.stdout).toMatch(/^config OK: 4 files in \.\/config/);
  });

  it('the shipped config on the default sandbox portal: no problem against the portal', async () => {
    const env = await portal({ contacts: 10, seed: 3 });
    const setup = await runCliAsync(['setup'], env);
    expect(setup.code).toBe(0);
    const report = lastJson(setup.stdout);
    expect(report).toMatchObject({ ok: true, blocking: [] });
    expect(report.warnings.filter((w: { code?: string }) => w.code === 'config-portal')).toEqual([]);
    const validate = await runCliAsync(['config', 'validate', '--portal'], env);
    expect(validate.code).toBe(0);
    expect(validate.stderr).toBe('');
    expect(validate.stdout).toMatch(/^config OK: 4 files in \.\/config, \d+ scoring rules, \d+ routing rules, \d+ owners, checked against \d+ HubSpot contact properties, version [0-9a-f]{12}\n$/);
  });

  it('a vanilla portal: `config validate --portal` is OK and names the optional extras it leaves inactive', async () => {
    const env = await portal({ contacts: 10, seed: 3, hubspot: { vanillaPortal: true } });
    const validate = await runCliAsync(['config', 'validate', '--portal'], env);
    expect(validate.code).toBe(0);
    expect(validate.stderr.match(/: inactive: optional rule inactive: this portal has no contact property \w+/g)?.map((l) => l.split(' ').at(-1))).toEqual([
      'demo_watched',
      'demo_watched',
      'content_downloads',
      'bant_budget',
      'bant_authority',
      'bant_need',
      'bant_timeline',
      'estimated_deal_size',
    ]);
    expect(validate.stdout).toMatch(/checked against \d+ HubSpot contact properties; 8 optional rules inactive on this portal \(listed above\), version [0-9a-f]{12}\n$/);

    // setup: nothing blocks, the extras are listed as inactive, and the webhook subscriptions it advises are the portal's own properties.
    const setup = await runCliAsync(['setup'], env);
    expect(setup.code).toBe(0);
    const report = lastJson(setup.stdout);
    expect(report.blocking).toEqual([]);
    expect(report.inactiveOptionalRules).toHaveLength(8);
    expect(report.webhookProperties).toEqual(expect.arrayContaining(['hs_analytics_source', 'recent_conversion_event_name', 'first_conversion_event_name', 'jobtitle']));
    for (const absent of ['lead_source', 'lead_source_detail', 'bant_budget', 'demo_watched', 'estimated_deal_size']) expect(report.webhookProperties).not.toContain(absent);
  });

  it('`config validate --portal` needs the HubSpot token; without it, it says so', async () => {
    const result = await runCliAsync(['config', 'validate', '--portal'], {});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('HUBSPOT_ACCESS_TOKEN');
  });
});
