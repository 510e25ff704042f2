import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClosedLoopReport } from '../../src/domain/report/types.ts';
import { openLedger } from '../../src/store/ledger.ts';
import { runCli } from '../support/cli.ts';
import { seedReportFixture } from '../support/report-fixture.ts';

/** `leadloop report` as a user runs it, over the embedded ledger holding test/support/report-fixture.ts and the shipped config/. */
describe('leadloop report', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-report-cli-'));
  const emptyDir = mkdtempSync(join(tmpdir(), 'leadloop-report-cli-empty-'));
  const env = { LEADLOOP_DATA_DIR: dataDir, LEADLOOP_CONFIG_DIR: 'config', LOG_LEVEL: 'silent' };
  beforeAll(async () => {
    const ledger = await openLedger({ dataDir });
    try {
      await seedReportFixture(ledger.db);
    } finally {
      await ledger.close();
    }
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(emptyDir, { recursive: true, force: true });
  });

  it('--format json prints one JSON document: the funnel, return, win/loss, SLA and calibration', () => {
    const { code, stdout, stderr } = runCli(['report', '--format', 'json'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as ClosedLoopReport;
    expect(Object.keys(report)).toEqual(['window', 'funnel', 'return', 'winLoss', 'sla', 'calibration', 'opportunitiesWithoutHandoff']);
    expect(Object.keys(report.funnel)).toEqual(['source', 'campaign', 'show']);
    // The same hand-computed figures as src/store/report/report.integration.test.ts (config/ has no report.costs).
    expect(report.funnel.source?.[0]).toMatchObject({ key: 'trade_show', scored: 3, mql: 1, handedOff: 3, sql: 2, won: 2, lost: 1, winRate: 0.6667, revenue: { corporate: 30_000 } });
    expect(report.return.show?.map((r) => [r.key, r.cost, r.revenuePerCost])).toEqual([
      ['Expo A', 15_000, 2],
      ['Expo B', null, null],
    ]);
    expect(report.winLoss.competitors[0]).toEqual({ competitor: 'Acme', met: 2, won: 1, lost: 1, winRate: 0.5 });
    expect(report.calibration[0]?.grades.map((g) => [g.band, g.outOfOrder])).toEqual([
      ['hot', true],
      ['warm', false],
      ['cold', false],
    ]);
    expect(report.opportunitiesWithoutHandoff).toBe(2);
  });

  it('--by owner --since --until: the funnel by owner over the hand-offs of the window', () => {
    const { code, stdout } = runCli(['report', '--format', 'json', '--by', 'owner', '--since', '2026-07-03', '--until', '2026-08-30'], env);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as ClosedLoopReport;
    expect(report.window).toEqual({ since: '2026-07-03T00:00:00.000Z', until: '2026-08-31T00:00:00.000Z' });
    expect(report.funnel.owner?.map((o) => [o.key, o.handedOff, o.sql])).toEqual([
      ['u1@fixture.example', 2, 2],
      ['u2@fixture.example', 1, 0],
    ]);
    expect(report.return).toEqual({});
  });

  it('--format csv prints one block per section; table prints them for people', () => {
    const csv = runCli(['report', '--format', 'csv'], env);
    expect(csv.code).toBe(0);
    const blocks = csv.stdout.trim().split('\n\n');
    expect(blocks.map((b) => b.split('\n')[0])).toContain('Competitors');
    expect(blocks.find((b) => b.startsWith('Funnel by show'))?.split('\n')[2]).toBe('Expo A,2,1,2,1,3,2,1,corporate:30000,0.6667,20');
    const table = runCli(['report'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Funnel by source:\n\s*source\s+scored\s+MQL\s+handed off/);
    expect(table.stdout).toMatch(/hot\s+1\s+0\s+1\s+0%\s+out of order/);
  });

  it('an empty ledger: exit 0, every section present and empty; a wrong flag exits 2', () => {
    const empty = runCli(['report', '--format', 'json'], { ...env, LEADLOOP_DATA_DIR: emptyDir });
    expect(empty.code).toBe(0);
    const report = JSON.parse(empty.stdout) as ClosedLoopReport;
    expect(report.funnel).toEqual({ source: [], campaign: [], show: [] });
    expect(report.sla).toEqual({ byOwner: [], byTeam: [] });
    expect(runCli(['report'], { ...env, LEADLOOP_DATA_DIR: emptyDir }).code).toBe(0);
    const wrong = runCli(['report', '--by', 'region'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--by must be');
    expect(runCli(['report', '--since', 'yesterday'], env).code).toBe(2);
  });
});
