import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const NOW = '2026-11-24T15:00:00Z';

describe('leadloop CLI', () => {
  it('sync leads --once with no environment exits 2 naming every missing variable', () => {
    const { code, stderr, stdout } = runCli(['sync', 'leads', '--once']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('HUBSPOT_ACCESS_TOKEN is required');
    expect(stderr).toContain('SALESFORCE_INSTANCE_URL + SALESFORCE_ACCESS_TOKEN');
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('config validate: exit 0 with a one-line summary on the defaults, exit 1 with positions on a broken copy', () => {
    const ok = runCli(['config', 'validate']);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);
    expect(ok.stdout).toMatch(/^config OK: 4 files in \.\/config, \d+ scoring rules, \d+ routing rules, 13 owners, version [0-9a-f]{12}/);

    const dir = mkdtempSync(join(tmpdir(), 'leadloop-cli-config-'));
    try {
      cpSync('config', dir, { recursive: true });
      const file = join(dir, 'routing.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('queue: partners', 'queue: partnrs').replace('use_salesforce_assignment_rules: false', 'use_salesforce_assignment_rule: false'));
      const bad = runCli(['config', 'validate', '--dir', dir]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('routing.yaml:12:1 use_salesforce_assignment_rule: unknown key "use_salesforce_assignment_rule" — did you mean "use_salesforce_assignment_rules"?');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['hot-trade-show', ['Score 100 → HOT', 'Hand-off: YES (immediate source)', 'by rule enterprise-na', 'notify victor.hale@copperleaf.example', 'Call now: hot lead from SaaStr Annual 2026']],
    ['warm-web-form', ['→ WARM', 'Hand-off: YES (marketing-qualified)', 'by rule mid-market-emea', 'Follow up: send a meeting or trial invitation']],
    ['cold-subscriber', ['→ COLD', 'Hand-off: no — stays with marketing (nurture)']],
    ['student', ['Hand-off: NO — vetoed by student']],
    ['competitor', ['Hand-off: NO — vetoed by competitor: Works for a competitor']],
    ['personal-email', ['personal-email', 'bounced-email', 'Hand-off: no']],
    ['customer-support-contact', ['Hand-off: NO — vetoed by customer-support-contact']],
  ])('explain --file %s prints a readable breakdown', (name, expected) => {
    const { code, stdout } = runCli(['explain', '--file', `test/fixtures/contacts/${name}.json`, '--now', NOW]);
    expect(code).toBe(0);
    for (const text of expected) expect(stdout).toContain(text);
  });

  it('explain refuses a file that is not a contact, clearly', () => {
    const { code, stderr } = runCli(['explain', '--file', 'package.json']);
    expect(code).toBe(2);
    expect(stderr).toContain('package.json is not a contact: id:');
  });
});
