import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderedSchemas } from './json-schema.ts';
import { formatIssue, loadConfigDir } from './load.ts';

const DEFAULTS = join(import.meta.dirname, '../../config');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the shipped config with one edit: the "bad config fixtures". */
function brokenCopy(edits: { file: string; find: string | RegExp; replace: string }[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-config-'));
  dirs.push(dir);
  cpSync(DEFAULTS, dir, { recursive: true });
  for (const { file, find, replace } of edits) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const next = text.replace(find, replace);
    if (next === text) throw new Error(`fixture edit did not apply: ${String(find)}`);
    writeFileSync(path, next);
  }
  return dir;
}

describe('loadConfigDir', () => {
  it('accepts the shipped defaults and gives them a version', async () => {
    const result = await loadConfigDir(DEFAULTS);
    expect(result.ok ? result.version : result.errors.map(formatIssue)).toMatch(/^[0-9a-f]{12}$/);
  });

  it.each([
    {
      label: 'unknown key with a suggestion',
      edits: [{ file: 'scoring.yaml', find: 'min_score: 55', replace: 'min_scor: 55' }],
      expected: [
        'scoring.yaml:165:3 mql.min_score: "min_score" is required',
        'scoring.yaml:165:3 mql.min_scor: unknown key "min_scor" in scoring.yaml at line 165 (did you mean "min_score"?); known keys: min_score, immediate_sources',
      ],
    },
    {
      label: 'regular expression checked at load',
      edits: [{ file: 'scoring.yaml', find: 'value: "\\\\bmanager\\\\b"', replace: 'value: "(manager"' }],
      expected: ['scoring.yaml:36:53 fit[5].when.value: invalid regular expression: missing closing ): `(manager`'],
    },
    {
      label: 'regular expression with a backreference refused at load (RE2 has none)',
      edits: [{ file: 'scoring.yaml', find: 'value: "\\\\bmanager\\\\b"', replace: 'value: "(manager) \\\\1"' }],
      expected: ['scoring.yaml:36:53 fit[5].when.value: invalid regular expression: backreferences (\\1) are not supported (RE2 syntax)'],
    },
    {
      label: 'regular expression with a lookahead refused at load (RE2 has none)',
      edits: [{ file: 'scoring.yaml', find: 'value: "\\\\bmanager\\\\b"', replace: 'value: "manager(?!ial)"' }],
      expected: ['scoring.yaml:36:53 fit[5].when.value: invalid regular expression: lookaround ((?!) is not supported (RE2 syntax)'],
    },
    {
      label: 'unknown operator',
      edits: [{ file: 'scoring.yaml', find: '{ property: country, op: in,', replace: '{ property: country, op: inside,' }],
      expected: ['scoring.yaml:40:36 fit[6].when.op: Invalid option: expected one of "eq"|"ne"|"in"|"not_in"|"gt"|"gte"|"lt"|"lte"|"matches"|"exists"|"within_days"'],
    },
    {
      label: 'grades out of order',
      edits: [{ file: 'scoring.yaml', find: 'hot: 70', replace: 'hot: 30' }],
      expected: ['scoring.yaml:152:8 grades.hot: grades.hot (30) must be above grades.warm (40)'],
    },
    {
      label: 'YAML syntax error',
      edits: [{ file: 'sync.yaml', find: 'sync_leads: { every: 5m }', replace: 'sync_leads: { every: 5m' }],
      expected: [expect.stringMatching(/^sync\.yaml:\d+:\d+ \(top\): YAML syntax: /)],
    },
    {
      label: 'a number out of range',
      edits: [{ file: 'sync.yaml', find: 'search_page: 200', replace: 'search_page: 500' }],
      expected: ['sync.yaml:15:16 batch.search_page: Too big: expected number to be <=200'],
    },
    {
      label: 'owner missing from the directory (cross-file)',
      edits: [{ file: 'routing.yaml', find: 'owner: dana.whitfield@copperleaf.example', replace: 'owner: dana.whitfeld@copperleaf.example' }],
      expected: ['routing.yaml:81:12 rules[2].owner: owner dana.whitfeld@copperleaf.example is not in owners — did you mean dana.whitfield@copperleaf.example?'],
    },
    {
      label: 'undefined team (cross-file)',
      edits: [{ file: 'routing.yaml', find: /team: smb$/m, replace: 'team: smbb' }],
      expected: ['routing.yaml:108:11 rules[6].team: team "smbb" is not defined under teams — did you mean "smb"?'],
    },
    {
      label: 'an SLA span an admin cannot mean',
      edits: [{ file: 'sync.yaml', find: 'hot: 1 hour', replace: 'hot: 1 fortnight' }],
      expected: [expect.stringMatching(/^sync\.yaml:\d+:8 sla\.hot: a span such as "1 hour", "30 minutes" or "2 working days"$/)],
    },
    {
      label: 'an SLA manager who is not an owner (cross-file)',
      edits: [{ file: 'sync.yaml', find: 'manager: rachel.stone@copperleaf.example', replace: 'manager: rachel.stoen@copperleaf.example' }],
      expected: [
        expect.stringMatching(
          /^sync\.yaml:\d+:\d+ sla\.on_breach\.manager: manager rachel\.stoen@copperleaf\.example is not in routing\.yaml's owners — did you mean rachel\.stone@copperleaf\.example\?$/,
        ),
      ],
    },
    {
      label: 'unknown HubSpot property (cross-file)',
      edits: [{ file: 'scoring.yaml', find: '{ property: jobtitle, op: matches, value: "\\\\bmanager', replace: '{ property: job_title, op: matches, value: "\\\\bmanager' }],
      expected: [expect.stringMatching(/^scoring\.yaml:36:11 fit\[5\]\.when: unknown HubSpot property "job_title" — did you mean "jobtitle"\?/)],
    },
  ])('$label', async ({ edits, expected }) => {
    const result = await loadConfigDir(brokenCopy(edits));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map(formatIssue)).toEqual(expected);
  });

  it('reports problems in several files at once', async () => {
    const result = await loadConfigDir(
      brokenCopy([
        { file: 'scoring.yaml', find: 'hot: 70', replace: 'hot: 30' },
        { file: 'sync.yaml', find: 'search_page: 200', replace: 'search_page: 500' },
        { file: 'mapping.yaml', find: 'external_id_field: HubSpot_Contact_Id__c', replace: 'external_id_field: "HubSpot Contact Id"' },
      ]),
    );
    expect(result.ok ? [] : result.errors.map((e) => e.file)).toEqual(['mapping.yaml', 'scoring.yaml', 'sync.yaml']);
  });

  it('names a missing file', async () => {
    const dir = brokenCopy([]);
    rmSync(join(dir, 'routing.yaml'));
    const result = await loadConfigDir(dir);
    expect(result.ok ? [] : result.errors.map(formatIssue)).toEqual(['routing.yaml:1:1 (top): the file is missing']);
  });
});

describe('published JSON Schemas', () => {
  it('match the zod schemas (run `npm run config:schemas` after changing them)', () => {
    for (const [file, text] of Object.entries(renderedSchemas())) {
      expect(readFileSync(join(DEFAULTS, 'schema', file), 'utf8'), file).toBe(text);
    }
  });

  it('are named by each shipped file for editor completion', () => {
    for (const name of ['scoring', 'routing', 'mapping', 'sync']) {
      expect(readFileSync(join(DEFAULTS, `${name}.yaml`), 'utf8').split('\n')[0]).toBe(`# yaml-language-server: $schema=./schema/${name}.schema.json`);
    }
  });
});

describe('strict config: a key nothing reads is refused', () => {
  /** The line a formatted issue names in its file:line:column prefix. */
  const lineOf = (formatted: string) => Number(/^[a-z]+\.yaml:(\d+):/.exec(formatted)?.[1]);

  it('names the file, the line and the keys that level knows', async () => {
    const result = await loadConfigDir(brokenCopy([{ file: 'sync.yaml', find: /^(\s+)search_per_second: 4.*$/m, replace: '$1search_per_second: 4\n$1daily: 500000' }]));
    const errors = result.ok ? [] : result.errors.map(formatIssue);
    expect(errors).toEqual([
      expect.stringMatching(/^sync\.yaml:\d+:5 budgets\.hubspot\.daily: unknown key "daily" in sync\.yaml at line \d+; known keys: per_10_seconds, search_per_second, handoff_reserve$/),
    ]);
    // The line is the key's own: one below search_per_second.
    const text = readFileSync(join(DEFAULTS, 'sync.yaml'), 'utf8').split('\n');
    const below = text.findIndex((l) => /^\s+search_per_second: 4/.test(l)) + 2;
    expect(lineOf(errors[0]!)).toBe(below);
    expect(errors[0]).toContain(`at line ${below};`);
  });

  it('at the top of a file, with the nearest known key', async () => {
    const result = await loadConfigDir(brokenCopy([{ file: 'sync.yaml', find: 'indexing_lag: 30s', replace: 'indexing_delay: 30s' }]));
    const errors = result.ok ? [] : result.errors.map(formatIssue);
    expect(errors).toEqual([
      expect.stringMatching(
        /^sync\.yaml:(\d+):1 indexing_delay: unknown key "indexing_delay" in sync\.yaml at line \1 \(did you mean "indexing_lag"\?\); known keys: schedules, batch, indexing_lag, /,
      ),
    ]);
  });

  it('inside a condition, with the keys a condition may have', async () => {
    const result = await loadConfigDir(
      brokenCopy([{ file: 'routing.yaml', find: '{ property: lead_source, op: eq, value: referral }', replace: '{ property: lead_source, op: eq, value: referral, ignore_case: true }' }]),
    );
    expect(result.ok ? [] : result.errors.map(formatIssue)).toEqual([
      'routing.yaml:73:61 rules[1].when.ignore_case: unknown key "ignore_case" in routing.yaml at line 73; known keys: property, op, value, all, any, not',
    ]);
  });

  it('in every file', async () => {
    const result = await loadConfigDir(
      brokenCopy([
        { file: 'scoring.yaml', find: 'undated_weight: 0', replace: 'undated_weight: 0\nweights: 1' },
        { file: 'routing.yaml', find: 'use_salesforce_assignment_rules: false', replace: 'use_salesforce_assignment_rules: false\nround_robin: true' },
        { file: 'mapping.yaml', find: 'duplicate_rules: respect', replace: 'duplicate_rules: respect\nmerge_duplicates: true' },
      ]),
    );
    expect(result.ok ? [] : result.errors.map((e) => `${e.file} ${e.path}`)).toEqual(['mapping.yaml merge_duplicates', 'routing.yaml round_robin', 'scoring.yaml weights']);
  });
});
