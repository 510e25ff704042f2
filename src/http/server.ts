import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../log.ts';
import type { WebhookIntake } from '../queue/webhook-intake.ts';
import { healthRoutes } from './routes/health.ts';
import { webhookRoutes } from './routes/webhooks.ts';

export interface ServerOptions {
  logger: Logger;
  readiness: Record<string, () => Promise<unknown>>;
  /** Absent (no HUBSPOT_CLIENT_SECRET): the webhook route is not served. */
  webhooks?: { intake: WebhookIntake; clientSecret: string; publicUrl?: string; ownProperties: ReadonlySet<string> };
  /** Largest webhook body accepted (413 above). HubSpot sends under 100 events: 1 MB is ample. */
  bodyLimit?: number;
  registry?: Registry;
  now?: () => number;
}

export interface LeadloopServer {
  app: FastifyInstance;
  registry: Registry;
}

/** The HTTP surface: webhooks, health and metrics (dashboard and admin come with their issues). */
export async function buildServer(options: ServerOptions): Promise<LeadloopServer> {
  const registry = options.registry ?? new Registry();
  if (!options.registry) collectDefaultMetrics({ register: registry, prefix: 'leadloop_' });
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Request lines would carry URLs and timings only, but one line per webhook is enough: ours.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1_048_576,
    // Behind a proxy, protocol and host come from X-Forwarded-*: only used when LEADLOOP_PUBLIC_URL is unset.
    trustProxy: true,
  });
  await app.register(healthRoutes, { readiness: options.readiness, registry });
  if (options.webhooks) {
    const events = new Counter({ name: 'leadloop_webhook_events_total', help: 'HubSpot webhook events by type and what leadloop did with them', labelNames: ['type', 'result'] as const, registers: [registry] });
    await app.register(webhookRoutes, { ...options.webhooks, bodyLimit: options.bodyLimit ?? 1_048_576, events, ...(options.now ? { now: options.now } : {}) });
  }
  return { app, registry };
}
