/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedLoopReport } from '../../src/cli/report.ts';
import { loadConfigDirOrThrow } from '../../src/config/load.ts';
import type { ClosedLoopReport } from '../../src/domain/report/types.ts';
import type { Operations } from '../../src/http/operations.ts';
import { openLeadloop, type LeadloopContext, until } from '../support/leadloop.ts';
import { seedReportFixture } from '../support/report-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'dashboard-test-token-0123456789';
// Screenshots for a person to look at (gitignored).
const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'test-output');

const boothScan = {
  email: 'dana.booth@fabrikam-bank.example',
  firstname: 'Dana',
  lastname: 'Booth',
  company: 'Fabrikam Bank',
  jobtitle: 'Chief Data Officer',
  country: 'Germany',
  numemployees: '1000+',
  industry: 'BANKING',
  lead_source: 'trade_show',
  lead_source_detail: 'Data Summit 2026',
  lead_source_date: new Date().toISOString(),
  bant_budget: 'approved',
  bant_authority: 'decision_maker',
  bant_need: 'urgent',
  bant_timeline: 'within_3_months',
};

/** The dashboard's headline figures, recomputed from the report's rows as the page defines them. */
function expectedKpis(report: ClosedLoopReport, operations: Operations): Record<string, string> {
  const sum = (rows: readonly object[], field: string) => rows.reduce((total, row) => total + (((row as Record<string, unknown>)[field] as number | undefined) ?? 0), 0);
  const percent = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '–');
  const sources = report.funnel.source ?? [];
  const owners = report.sla.byOwner;
  const won = sum(sources, 'won');
  const lost = sum(sources, 'lost');
  return {
    handedOff: String(sum(sources, 'handedOff')),
    sql: String(sum(sources, 'sql')),
    mqlToSql: percent(sum(owners, 'sql'), sum(owners, 'mqlHandoffs')),
    won: String(won),
    lost: String(lost),
    winRate: percent(won, won + lost),
    slaCompliance: percent(sum(owners, 'inTime'), sum(owners, 'decided')),
    deadLetters: String(operations.deadLetters.total),
  };
}

async function pageKpis(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-kpi]', (cells) => Object.fromEntries(cells.map((cell) => [(cell as HTMLElement).dataset.kpi!, cell.textContent ?? ''])));
}

/** Every chart's canvas, and whether any of its pixels is not transparent (it drew). */
async function chartsDrawn(page: Page): Promise<Record<string, boolean>> {
  return page.$$eval('canvas[data-chart]', (canvases) =>
    Object.fromEntries(
      (canvases as HTMLCanvasElement[]).map((canvas) => {
        const context = canvas.getContext('2d');
        if (!context || canvas.width === 0 || canvas.height === 0) return [canvas.dataset.chart!, false];
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
        let drawn = false;
        for (let i = 3; i < pixels.length && !drawn; i += 4) drawn = pixels[i]! > 0;
        return [canvas.dataset.chart!, drawn];
      }),
    ),
  );
}

describe.skipIf(!existsSync(CHROMIUM))('the dashboard in a real browser (Debian chromium through playwright-core)', () => {
  let ctx: LeadloopContext & { close(): Promise<void> };
  let browser: Browser;
  beforeAll(async () => {
    ctx = await openLeadloop({ sandbox: { contacts: 30, seed: 7, hubspot: { webhooks: { targetUrl: 'http://127.0.0.1:9/unset', batchDelayMs: 5 } } }, env: { LEADLOOP_ADMIN_TOKEN: TOKEN } });
    // The report's worked fixture (six hand-offs, their opportunities, SLA clocks), then a live hand-off through the webhook.
    await seedReportFixture(ctx.running.ledger.db);
    const contact = ctx.sandbox.hubspot.createContact(boothScan);
    await until(
      () => ctx.sandbox.salesforce.records('Lead').filter((l) => l.HubSpot_Contact_Id__c === contact.id),
      (leads) => leads.length > 0,
      20_000,
    );
    await until(
      () => ctx.running.queues.handoff.getJobCounts('completed'),
      (counts) => (counts.completed ?? 0) > 0,
      10_000,
    );
    // The dashboard keeps the report it read as it started (before the fixture): wait for its background read of the ledger as it is now.
    await until(
      async () => {
        const response = await fetch(`${ctx.running.url}/api/report`, { headers: { authorization: `Bearer ${TOKEN}` } });
        return ((await response.json()) as ClosedLoopReport).funnel.source?.reduce((n, r) => n + r.handedOff, 0);
      },
      (handedOff) => handedOff === 7,
      40_000,
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
  });

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${ctx.running.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  it('logs in through the form, draws every chart, and shows the figures of its /api answers and of the report', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${ctx.running.url}/dashboard`);
    // Not logged in: the form, then the dashboard it came from.
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', 'not-the-token');
    await page.click('button[type=submit]');
    expect(await page.textContent('[role=alert]')).toContain('not right');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL('**/dashboard'), page.click('button[type=submit]')]);
    const session = (await page.context().cookies()).find((c) => c.name === 'leadloop_admin');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });

    const drawn = await chartsDrawn(page);
    expect(Object.keys(drawn)).toEqual([
      'funnelSource',
      'funnelShow',
      'winRateSource',
      'returnSource',
      'winRateCampaign',
      'returnCampaign',
      'competitors',
      'slaOwner',
      'mqlSqlOwner',
      'latency',
      'budgets',
      'syncLag',
      'deadLetters',
    ]);
    expect(Object.entries(drawn).filter(([, ok]) => !ok)).toEqual([]);

    const [fromApi, operations] = await Promise.all([api<ClosedLoopReport>('/api/report'), api<Operations>('/api/operations')]);
    const { config } = await loadConfigDirOrThrow(ctx.configDir);
    const report = await closedLoopReport(ctx.running.ledger.db, config, { since: null, until: null, dimensions: ['source', 'campaign', 'show'], now: Date.now() });
    // The /api answer is the report itself, and the page shows its figures.
    expect(fromApi.funnel).toEqual(JSON.parse(JSON.stringify(report.funnel)));
    expect(fromApi.sla).toEqual(JSON.parse(JSON.stringify(report.sla)));
    expect(fromApi.winLoss).toEqual(JSON.parse(JSON.stringify(report.winLoss)));
    const kpis = await pageKpis(page);
    expect(kpis).toEqual(expectedKpis(fromApi, operations));
    expect(kpis).toEqual(expectedKpis(report, operations));
    // The fixture's six hand-offs and the live one; its two won and three lost opportunities.
    expect(kpis.handedOff).toBe('7');
    expect(kpis.won).toBe('2');
    expect(kpis.lost).toBe('3');
    expect(operations.handoffLatency.count).toBeGreaterThanOrEqual(1);

    const rows = await page.$$eval('#funnel-source tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual(
      (report.funnel.source ?? []).map((r) => [
        r.key,
        String(r.handedOff),
        String(r.sql),
        String(r.opportunities),
        String(r.won),
        String(r.lost),
        r.winRate === null ? '–' : `${(100 * r.winRate).toFixed(1)}%`,
      ]),
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-desktop.png'), fullPage: true });
    await page.close();
  });

  it('is readable on a 390 px phone: nothing wider than the screen, every chart drawn', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${ctx.running.url}/login`);
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL('**/dashboard'), page.click('button[type=submit]')]);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
    expect(Object.entries(await chartsDrawn(page)).filter(([, ok]) => !ok)).toEqual([]);
    // The funnel table scrolls inside its card; the page itself does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-phone.png'), fullPage: true });
    await context.close();
  });

  it('opens the queue view once logged in', async () => {
    const page = await browser.newPage();
    await page.goto(`${ctx.running.url}/admin/queues`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL('**/admin/queues'), page.click('button[type=submit]')]);
    const queues = await api<{ queues: { name: string; readOnlyMode: boolean }[] }>('/admin/queues/api/queues');
    expect(queues.queues.map((q) => q.name).sort()).toEqual(['handoff', 'maintenance', 'sync']);
    expect(queues.queues.every((q) => q.readOnlyMode)).toBe(true);
    await page.close();
  });
});
