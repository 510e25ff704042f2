import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';
import type { ClosedLoopReport } from '../domain/report/types.ts';
import type { WebhookPlan } from '../domain/webhook-events.ts';
import { createLogger } from '../log.ts';
import type { WebhookIntake } from '../queue/webhook-intake.ts';
import type { Operations } from './operations.ts';
import { buildServer } from './server.ts';

const TOKEN = 'the-admin-token-4f7a9c1e';
const WRONG = 'a-wrong-token-1b2c3d4e';
const prefix = uniqueTestPrefix('admin');
const redis = testConnection('worker');
const queues = ['sync', 'handoff', 'maintenance'].map((name) => new Queue(name, { connection: redis, prefix }));

// Every admin surface: the page and its assets, the JSON it reads, bull-board's page and API.
const ADMIN_ROUTES = ['/dashboard', '/dashboard/assets/app.js', '/dashboard/assets/chart.umd.min.js', '/api/report', '/api/operations', '/admin/queues', '/admin/queues/api/queues'];
const OPEN_ROUTES = ['/healthz', '/readyz'];

const report = {
  funnel: {},
  return: {},
  winLoss: { lossReasons: [], competitors: [] },
  sla: { byOwner: [], byTeam: [] },
  calibration: [],
  opportunitiesWithoutHandoff: 0,
} as unknown as ClosedLoopReport;
const operations = { at: '', handoffLatency: { count: 0, sumSeconds: 0, buckets: [] }, budgets: [], syncLag: {}, deadLetters: { total: 0, byReason: [] }, queues: {} } satisfies Operations;

/** The server as `start` builds it, listening on `host`, with the log lines it wrote. */
async function server(options: { host: string; token?: string; actions?: boolean }) {
  const lines: string[] = [];
  const logger = createLogger({
    destination: new Writable({
      write: (chunk, _enc, done) => {
        lines.push(String(chunk));
        done();
      },
    }) as never,
  });
  const intake = { accept: async (plan: WebhookPlan) => ({ handoffs: plan.handoffs.length, merges: 0, purges: 0 }) } as unknown as WebhookIntake;
  const { app } = await buildServer({
    logger,
    readiness: { redis: async () => 'PONG' },
    webhooks: { intake, clientSecret: 'secret', ownProperties: new Set() },
    admin: {
      access: { host: options.host, ...(options.token ? { token: options.token } : {}) },
      dashboard: { report: async () => report, operations: async () => operations },
      queues: { queues, actions: options.actions ?? false },
    },
  });
  return { app, lines };
}

type App = Awaited<ReturnType<typeof server>>['app'];
const get = (app: App, url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
const cookieHeader = (setCookie: string | string[] | undefined) =>
  ([] as string[])
    .concat(setCookie ?? [])
    .map((c) => c.split(';')[0])
    .join('; ');

async function login(app: App): Promise<{ cookie: string; csrf: string }> {
  const response = await app.inject({ method: 'POST', url: '/login', payload: `token=${TOKEN}&next=%2Fdashboard`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(response.statusCode).toBe(303);
  expect(response.headers.location).toBe('/dashboard');
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  expect(cookies.find((c) => c.startsWith('leadloop_admin='))).toMatch(/HttpOnly/);
  expect(cookies.find((c) => c.startsWith('leadloop_admin='))).toMatch(/SameSite=Strict/);
  const cookie = cookieHeader(cookies);
  return { cookie, csrf: /XSRF-TOKEN=([^;]+)/.exec(cookie)![1]! };
}

beforeAll(async () => {
  await Promise.all(queues.map((q) => q.waitUntilReady()));
});
afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

describe.each([
  { where: 'off loopback', host: '0.0.0.0', metricsGuarded: true },
  { where: 'on loopback', host: '127.0.0.1', metricsGuarded: false },
])('admin surfaces with LEADLOOP_ADMIN_TOKEN set, $where', ({ host, metricsGuarded }) => {
  it('refuses every admin route without the token or with a wrong one, and serves it with the bearer token', async () => {
    const { app } = await server({ host, token: TOKEN });
    for (const url of ADMIN_ROUTES) {
      const none = await get(app, url);
      expect(none.statusCode, `${url} without a token`).toBe(401);
      expect(none.headers['www-authenticate'], url).toMatch(/^Bearer/);
      expect((await get(app, url, { authorization: `Bearer ${WRONG}` })).statusCode, `${url} with a wrong token`).toBe(401);
      expect((await get(app, url, { authorization: `Bearer ${TOKEN}` })).statusCode, `${url} with the token`).toBe(200);
    }
    expect((await get(app, '/metrics')).statusCode).toBe(metricsGuarded ? 401 : 200);
    expect((await get(app, '/metrics', { authorization: `Bearer ${TOKEN}` })).statusCode).toBe(200);
    for (const url of OPEN_ROUTES) expect((await get(app, url)).statusCode, url).toBe(200);
    // The webhook answers for its signature, not for the admin token.
    const webhook = await app.inject({ method: 'POST', url: '/webhooks/hubspot', payload: '[]', headers: { 'content-type': 'application/json' } });
    expect(webhook.statusCode).toBe(401);
    expect(webhook.json().reason).not.toMatch(/token|logged/);
    await app.close();
  });

  it('sends a browser asking for a page to the login form, and serves it after a login with the session cookie', async () => {
    const { app } = await server({ host, token: TOKEN });
    const page = await get(app, '/dashboard', { accept: 'text/html' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Fdashboard');
    expect((await get(app, '/login')).body).toContain('<form method="post" action="/login">');
    const wrong = await app.inject({ method: 'POST', url: '/login', payload: `token=${WRONG}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain(WRONG);
    const { cookie } = await login(app);
    for (const url of [...ADMIN_ROUTES, '/metrics']) expect((await get(app, url, { cookie })).statusCode, url).toBe(200);
    // A forged or expired session is no session.
    expect((await get(app, '/api/report', { cookie: cookie.replace(/leadloop_admin=\d+\./, 'leadloop_admin=9999999999999.') })).statusCode).toBe(401);
    const out = await app.inject({ method: 'POST', url: '/logout', headers: { cookie } });
    expect(out.headers['set-cookie']).toContain('leadloop_admin=; HttpOnly; Path=/; SameSite=Strict; Max-Age=0');
    await app.close();
  });
});

describe('wrong tokens', () => {
  it('are limited to 10 a minute per address (429 with Retry-After, even for the right token then) and never logged', async () => {
    const { app, lines } = await server({ host: '0.0.0.0', token: TOKEN });
    for (let i = 0; i < 10; i++) expect((await get(app, '/api/report', { authorization: `Bearer ${WRONG}${i}` })).statusCode).toBe(401);
    const limited = await get(app, '/api/report', { authorization: `Bearer ${TOKEN}` });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    const form = await app.inject({ method: 'POST', url: '/login', payload: `token=${TOKEN}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.statusCode).toBe(429);
    // Another address is not held back.
    expect((await app.inject({ method: 'GET', url: '/api/report', remoteAddress: '10.0.0.9', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(200);
    expect(lines.some((line) => line.includes('admin request refused'))).toBe(true);
    expect(lines.join('').includes(WRONG)).toBe(false);
    expect(lines.join('').includes(TOKEN)).toBe(false);
    await app.close();
  });
});

describe('wrong tokens from ever-changing addresses (X-Forwarded-For varied behind a proxy)', () => {
  it('are limited to 100 a minute in all: the 101st guess is refused whatever address it claims', async () => {
    const { app } = await server({ host: '0.0.0.0', token: TOKEN });
    const from = (i: number, token: string) =>
      app.inject({ method: 'GET', url: '/api/report', remoteAddress: `10.1.${Math.floor(i / 250)}.${i % 250}`, headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 100; i++) expect((await from(i, `${WRONG}${i}`)).statusCode).toBe(401);
    expect((await from(100, `${WRONG}100`)).statusCode).toBe(429);
    expect((await from(101, TOKEN)).statusCode).toBe(429);
    await app.close();
  });
});

describe('changes through the queue view', () => {
  const pause = (app: App, headers: Record<string, string>) => app.inject({ method: 'PUT', url: '/admin/queues/api/queues/sync/pause', headers });

  it('are refused while read-only, need the CSRF token with a session, and pass with the bearer token when actions are on', async () => {
    const readOnly = await server({ host: '127.0.0.1', token: TOKEN });
    const session = await login(readOnly.app);
    expect((await pause(readOnly.app, { cookie: session.cookie })).statusCode).toBe(403);
    expect((await pause(readOnly.app, { cookie: session.cookie, 'x-xsrf-token': 'forged' })).statusCode).toBe(403);
    // Past the guard, bull-board itself refuses: read-only.
    expect((await pause(readOnly.app, { cookie: session.cookie, 'x-xsrf-token': session.csrf })).statusCode).toBe(405);
    await readOnly.app.close();

    const actions = await server({ host: '127.0.0.1', token: TOKEN, actions: true });
    expect((await pause(actions.app, {})).statusCode).toBe(401);
    expect((await pause(actions.app, { authorization: `Bearer ${TOKEN}` })).statusCode).toBe(200);
    expect(await queues[0]!.isPaused()).toBe(true);
    await queues[0]!.resume();
    const again = await login(actions.app);
    expect((await pause(actions.app, { cookie: again.cookie })).statusCode).toBe(403);
    expect((await pause(actions.app, { cookie: again.cookie, 'x-xsrf-token': again.csrf })).statusCode).toBe(200);
    await queues[0]!.resume();
    await actions.app.close();
  });
});

describe('without LEADLOOP_ADMIN_TOKEN (loopback only)', () => {
  it('serves every admin surface to this machine, but a change still needs the CSRF cookie it handed out', async () => {
    const { app } = await server({ host: '127.0.0.1', actions: true });
    for (const url of [...ADMIN_ROUTES, '/metrics']) expect((await get(app, url)).statusCode, url).toBe(200);
    const first = await get(app, '/admin/queues');
    const csrf = /XSRF-TOKEN=([^;]+)/.exec(cookieHeader(first.headers['set-cookie']))![1]!;
    const pause = (headers: Record<string, string>) => app.inject({ method: 'PUT', url: '/admin/queues/api/queues/sync/pause', headers });
    expect((await pause({})).statusCode).toBe(403);
    expect((await pause({ 'x-xsrf-token': csrf })).statusCode).toBe(200);
    await queues[0]!.resume();
    // With no token there is nothing to log in with: the form sends the browser straight on.
    expect((await get(app, '/login?next=/admin/queues')).headers.location).toBe('/admin/queues');
    await app.close();
  });
});
