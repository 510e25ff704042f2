import type { FastifyInstance } from 'fastify';
import type { Counter } from 'prom-client';
import { planWebhookEvents } from '../../domain/webhook-events.ts';
import { verifyWebhookSignature } from '../../hubspot/verifyWebhookSignature.ts';
import type { WebhookIntake } from '../../queue/webhook-intake.ts';
import { parseWebhookBody } from '../webhook-body.ts';

export interface WebhookRouteOptions {
  intake: WebhookIntake;
  clientSecret: string;
  /** The URL HubSpot calls, when a proxy sits in front (LEADLOOP_PUBLIC_URL): the signature covers it. */
  publicUrl?: string;
  /** Properties leadloop writes: their change events are ignored. */
  ownProperties: ReadonlySet<string>;
  bodyLimit: number;
  events: Counter<'type' | 'result'>;
  now?: () => number;
}

export const WEBHOOK_PATH = '/webhooks/hubspot';

/**
 * POST /webhooks/hubspot: v3 signature and timestamp first (401), then the body (400 with a
 * reason), then the jobs are enqueued and HubSpot gets its 2xx — before any API call, because
 * HubSpot gives up after 5 s and retries for a day. Logs carry counts and ids, never the body.
 */
export async function webhookRoutes(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  // Raw bytes: the signature is over the body exactly as sent. HubSpot sends JSON only: every
  // other content type (and a body without one) is refused with 415 before anything is read.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body));

  app.post(WEBHOOK_PATH, { bodyLimit: options.bodyLimit }, async (request, reply) => {
    const now = options.now?.() ?? Date.now();
    // No body at all (and no content type): the signature is checked over no bytes.
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const uri = `${options.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`}${request.url}`;
    const verdict = verifyWebhookSignature({
      clientSecret: options.clientSecret,
      method: request.method,
      uri,
      rawBody: raw,
      signature: header(request.headers['x-hubspot-signature-v3']),
      timestamp: header(request.headers['x-hubspot-request-timestamp']),
      now,
    });
    if (!verdict.ok) {
      request.log.warn({ reason: verdict.reason }, 'webhook refused');
      return reply.code(401).send({ error: 'unauthorized', reason: verdict.reason });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply.code(400).send({ error: 'bad request', reason: 'the body is not valid JSON' });
    }
    const body = parseWebhookBody(parsed);
    if (!body.ok) return reply.code(400).send({ error: 'bad request', reason: body.reason });

    const plan = planWebhookEvents(body.events, options.ownProperties);
    const queued = await options.intake.accept(plan, now);
    const ignored = plan.ignored.ownProperty + plan.ignored.unknownType + plan.ignored.notContact;
    options.events.inc({ type: 'all', result: 'received' }, body.events.length);
    options.events.inc({ type: 'own_property', result: 'ignored' }, plan.ignored.ownProperty);
    options.events.inc({ type: 'unknown', result: 'ignored' }, plan.ignored.unknownType + plan.ignored.notContact);
    options.events.inc({ type: 'deletion', result: 'recorded' }, plan.deletions.length);
    request.log.info({ events: body.events.length, handoffs: plan.handoffs, merges: plan.merges.length, purges: plan.purges.length, deletions: plan.deletions.length, ignored }, 'webhook accepted');
    return reply.code(200).send({ ok: true, events: body.events.length, ...queued, deletions: plan.deletions.length, ignored });
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
