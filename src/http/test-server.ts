import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import type { WebhookPlan } from '../domain/webhook-events.ts';
import { createLogger } from '../log.ts';
import type { WebhookIntake } from '../queue/webhook-intake.ts';
import { buildServer } from './server.ts';

// Test support for the HTTP tests (not loaded by the application).

export const TEST_SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
export const TEST_PUBLIC_URL = 'https://leads.example.com';
export const WEBHOOK_URI = `${TEST_PUBLIC_URL}/webhooks/hubspot`;

/** The server with webhooks on, an intake that only records (or fails as told), and the log lines it wrote. */
export async function quietServer(options: { bodyLimit?: number; failIntake?: Error } = {}) {
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
  const accept = async (plan: WebhookPlan) => {
    if (options.failIntake) throw options.failIntake;
    plans.push(plan);
    return { handoffs: plan.handoffs.length, merges: plan.merges.length, purges: plan.purges.length };
  };
  const intake = { accept } as unknown as WebhookIntake;
  const { app } = await buildServer({
    logger,
    readiness: { redis: async () => 'PONG' },
    webhooks: { intake, clientSecret: TEST_SECRET, publicUrl: TEST_PUBLIC_URL, ownProperties: new Set(['leadloop_score']) },
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
  });
  return { app, plans, lines };
}

/** HubSpot's v3 signature headers over any body, bytes included (`signedHeaders` signs text only). */
export function signatureHeaders(body: string | Buffer, timestamp = Date.now(), uri = WEBHOOK_URI): Record<string, string> {
  const signature = createHmac('sha256', TEST_SECRET).update(`POST${uri}`).update(body).update(String(timestamp)).digest('base64');
  return { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) };
}

/**
 * What every answer to any request must look like: no 5xx, and a short JSON body that names
 * the problem in our words — never a stack, an internal error code or message, or what the
 * request sent.
 */
export function expectSafeResponse(response: { statusCode: number; headers: Record<string, unknown>; body: string }, sent?: string | Buffer): void {
  expect(response.statusCode).toBeGreaterThanOrEqual(200);
  expect(response.statusCode).toBeLessThan(500);
  expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
  expect(response.body.length).toBeLessThanOrEqual(300);
  const json = JSON.parse(response.body) as Record<string, unknown>;
  if (response.statusCode >= 400) {
    expect(Object.keys(json).every((key) => key === 'error' || key === 'reason')).toBe(true);
    expect(typeof json.error).toBe('string');
  }
  expect(response.body).not.toMatch(/FST_|ERR_|stack|Error\b|\bat .+:\d+|node:|\.ts\b|\.js\b|argument/);
  const text = sent === undefined ? '' : String(sent).trim();
  if (text.length >= 8) expect(response.body).not.toContain(text);
}
