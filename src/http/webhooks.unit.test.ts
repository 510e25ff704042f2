import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WebhookPlan } from '../domain/webhook-events.ts';
import { createLogger } from '../log.ts';
import type { WebhookIntake } from '../queue/webhook-intake.ts';
import { signedHeaders } from '../sandbox/webhook-sender.ts';
import { buildServer } from './server.ts';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/vendor/hubspot');
const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const PUBLIC = 'https://leads.example.com';

/** The server with an intake that records what it was asked to enqueue, and the log lines it wrote. */
async function server(options: { publicUrl?: string; bodyLimit?: number; failIntake?: boolean } = {}) {
  const plans: WebhookPlan[] = [];
  const lines: string[] = [];
  const logger = createLogger({
    destination: new Writable({
      write: (chunk, _enc, done) => {
        lines.push(String(chunk));
        done();
      },
    }) as never,
  });
  const intake = {
    accept: async (plan: WebhookPlan) => {
      if (options.failIntake) throw new Error('redis down');
      plans.push(plan);
      return { handoffs: plan.handoffs.length, merges: plan.merges.length, purges: plan.purges.length };
    },
  } as unknown as WebhookIntake;
  const { app, registry } = await buildServer({
    logger,
    readiness: { redis: async () => 'PONG' },
    webhooks: { intake, clientSecret: SECRET, ownProperties: new Set(['leadloop_score']), ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}) },
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
  });
  return { app, registry, plans, lines };
}

function post(app: Awaited<ReturnType<typeof server>>['app'], body: string, headers: Record<string, string>, url = '/webhooks/hubspot') {
  return app.inject({ method: 'POST', url, payload: body, headers: { host: 'leads.example.com', ...headers } });
}

describe('POST /webhooks/hubspot', () => {
  const docBody = readFileSync(join(FIXTURES, 'webhook_payload_signature_doc_example.json'), 'utf8').trim();

  it('accepts the documented delivery (subscriptionType) signed for the public URL, and enqueues its contact', async () => {
    const { app, plans } = await server({ publicUrl: PUBLIC });
    const response = await post(app, docBody, signedHeaders(SECRET, `${PUBLIC}/webhooks/hubspot`, docBody));
    expect(response.statusCode).toBe(200);
    expect(plans.map((p) => p.handoffs)).toEqual([['123']]);
  });

  it('accepts the webhooks page example that names the type eventType', async () => {
    const { app, plans } = await server({ publicUrl: PUBLIC });
    const body = readFileSync(join(FIXTURES, 'webhook_payload_doc_example.json'), 'utf8');
    const response = await post(app, body, signedHeaders(SECRET, `${PUBLIC}/webhooks/hubspot`, body));
    expect(response.statusCode).toBe(200);
    expect(plans[0]!.handoffs).toEqual(['1246965', '1246978']);
  });

  it('accepts the generic subscription format of current HubSpot apps (object.* with objectTypeId 0-1 for contacts)', async () => {
    const { app, plans } = await server({ publicUrl: PUBLIC });
    const body = JSON.stringify([
      { objectId: 501, occurredAt: 1, subscriptionType: 'object.propertyChange', objectTypeId: '0-1', propertyName: 'jobtitle', propertyValue: 'CTO' },
      { objectId: 502, occurredAt: 1, subscriptionType: 'object.creation', objectTypeId: '0-1' },
      { objectId: 9, occurredAt: 1, subscriptionType: 'object.creation', objectTypeId: '0-3' },
    ]);
    const response = await post(app, body, signedHeaders(SECRET, `${PUBLIC}/webhooks/hubspot`, body));
    expect(response.statusCode).toBe(200);
    expect(plans[0]!.handoffs).toEqual(['501', '502']);
    expect(plans[0]!.ignored.notContact).toBe(1);
  });

  it('refuses a wrong signature, a stale or future timestamp, and missing headers with 401', async () => {
    const { app, plans } = await server({ publicUrl: PUBLIC });
    const good = signedHeaders(SECRET, `${PUBLIC}/webhooks/hubspot`, docBody);
    const cases: [Record<string, string>, string][] = [
      [signedHeaders('another-secret', `${PUBLIC}/webhooks/hubspot`, docBody), 'bad signature'],
      [signedHeaders(SECRET, `${PUBLIC}/webhooks/hubspot`, docBody, Date.now() - 301_000), 'stale timestamp'],
      [signedHeaders(SECRET, `${PUBLIC}/webhooks/hubspot`, docBody, Date.now() + 301_000), 'stale timestamp'],
      [{ ...good, 'x-hubspot-signature-v3': '' }, 'missing headers'],
      [Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'x-hubspot-request-timestamp')), 'missing headers'],
    ];
    for (const [headers, reason] of cases) {
      const response = await post(app, docBody, headers);
      expect(response.statusCode).toBe(401);
      expect(response.json().reason).toBe(reason);
    }
    expect(plans).toEqual([]);
  });

  it('refuses a replay of a signed request once its timestamp is older than 5 minutes', async () => {
    const { app } = await server({ publicUrl: PUBLIC });
    const headers = signedHeaders(SECRET, `${PUBLIC}/webhooks/hubspot`, docBody, Date.now() - 299_000);
    expect((await post(app, docBody, headers)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1_100)); // past 300 s since the timestamp
    expect((await post(app, docBody, headers)).statusCode).toBe(401);
  });

  it('behind a proxy: a signature over the public URL fails without LEADLOOP_PUBLIC_URL and passes with it', async () => {
    const headers = signedHeaders(SECRET, `${PUBLIC}/hooks/webhooks/hubspot`, docBody);
    const direct = await server();
    expect((await post(direct.app, docBody, headers)).statusCode).toBe(401);
    const proxied = await server({ publicUrl: `${PUBLIC}/hooks/` });
    expect((await post(proxied.app, docBody, headers)).statusCode).toBe(200);
  });

  it('without LEADLOOP_PUBLIC_URL, signs over the scheme and host the request arrived with (X-Forwarded-* honoured)', async () => {
    const { app } = await server();
    const headers = { ...signedHeaders(SECRET, 'https://leads.example.com/webhooks/hubspot', docBody), 'x-forwarded-proto': 'https' };
    expect((await post(app, docBody, headers)).statusCode).toBe(200);
  });

  it('answers 400 with a reason for malformed JSON and for a body that is not an event array', async () => {
    const { app, plans } = await server({ publicUrl: PUBLIC });
    const send = (body: string) => post(app, body, signedHeaders(SECRET, `${PUBLIC}/webhooks/hubspot`, body));
    const malformed = await send('[{"objectId": 1,');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().reason).toMatch(/not valid JSON/);
    const noType = await send('[{"objectId": 1, "occurredAt": 1}]');
    expect(noType.statusCode).toBe(400);
    expect(noType.json().reason).toMatch(/^0: needs subscriptionType/);
    const badId = await send('[{"objectId": "abc", "occurredAt": 1, "subscriptionType": "contact.creation"}]');
    expect(badId.json().reason).toMatch(/^0\.objectId/);
    const tooMany = JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ objectId: i, occurredAt: 1, subscriptionType: 'contact.creation' })));
    expect((await send(tooMany)).statusCode).toBe(400);
    expect((await send('{}')).statusCode).toBe(400);
    expect(plans).toEqual([]);
  });

  it('answers 413 above the body limit', async () => {
    const { app } = await server({ publicUrl: PUBLIC, bodyLimit: 1_000 });
    const body = JSON.stringify([{ objectId: 1, occurredAt: 1, subscriptionType: 'contact.creation', padding: 'x'.repeat(2_000) }]);
    expect((await post(app, body, signedHeaders(SECRET, `${PUBLIC}/webhooks/hubspot`, body))).statusCode).toBe(413);
  });

  it("counts events it ignores (leadloop's own properties, unknown types) in /metrics", async () => {
    const { app } = await server({ publicUrl: PUBLIC });
    const body = JSON.stringify([
      { objectId: 1, occurredAt: 1, subscriptionType: 'contact.propertyChange', propertyName: 'leadloop_score', propertyValue: '80' },
      { objectId: 2, occurredAt: 1, subscriptionType: 'contact.somethingNew' },
    ]);
    const response = await post(app, body, signedHeaders(SECRET, `${PUBLIC}/webhooks/hubspot`, body));
    expect(response.json()).toMatchObject({ handoffs: 0, ignored: 2 });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('leadloop_webhook_events_total{type="own_property",result="ignored"} 1');
    expect(metrics).toContain('leadloop_webhook_events_total{type="unknown",result="ignored"} 1');
  });

  it('logs ids and counts, never what the body says about the person', async () => {
    const { app, lines } = await server({ publicUrl: PUBLIC });
    const body = JSON.stringify([{ objectId: 77, occurredAt: 1, subscriptionType: 'contact.propertyChange', propertyName: 'email', propertyValue: 'jane.doe@private.example' }]);
    await post(app, body, signedHeaders(SECRET, `${PUBLIC}/webhooks/hubspot`, body));
    const log = lines.join('');
    expect(log).toContain('"77"');
    expect(log).not.toContain('jane.doe');
    expect(log).not.toContain(SECRET);
  });
});

describe('health', () => {
  it('/healthz answers while /readyz reports each dependency', async () => {
    const { app } = await server();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toEqual({ ok: true, checks: { redis: 'ok' } });
  });

  it('/readyz is 503 naming the dependency that does not answer', async () => {
    const { app } = await buildServer({
      logger: createLogger({ destination: new Writable({ write: (_c, _e, d) => d() }) as never }),
      readiness: {
        redis: async () => 'PONG',
        ledger: async () => {
          throw new Error('connection refused');
        },
      },
    });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ ok: false, checks: { redis: 'ok', ledger: 'down' } });
  });
});
