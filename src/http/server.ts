import { STATUS_CODES } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { leadloopMetrics } from '../metrics.ts';
import type { Logger } from '../log.ts';
import type { Queue } from 'bullmq';
import type { WebhookIntake } from '../queue/webhook-intake.ts';
import { AdminAccess, type AdminAccessOptions, guardAdmin } from './admin-access.ts';
import { adminLoginRoutes } from './routes/admin-login.ts';
import { type DashboardSources, dashboardRoutes } from './routes/dashboard.ts';
import { healthRoutes } from './routes/health.ts';
import { queueBoardRoutes } from './routes/queue-board.ts';
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
  /**
   * The admin surfaces and who may use them. Absent: none are served, and /metrics is open (a
   * worker's health server on loopback). /healthz, /readyz and the webhook never need the token.
   */
  admin?: {
    access: AdminAccessOptions;
    /** /dashboard and /api/*. */
    dashboard?: DashboardSources;
    /** /admin/queues (bull-board); `actions` lets it change jobs. */
    queues?: { queues: readonly Queue[]; actions: boolean };
  };
}

export interface LeadloopServer {
  app: FastifyInstance;
  registry: Registry;
}

/** The HTTP surface: webhooks, health and metrics, and the admin surfaces (dashboard, its JSON, bull-board) behind the admin token. */
export async function buildServer(options: ServerOptions): Promise<LeadloopServer> {
  const registry = options.registry ?? new Registry();
  if (!options.registry) collectDefaultMetrics({ register: registry, prefix: 'leadloop_' });
  const bodyLimit = options.bodyLimit ?? 1_048_576;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Request lines would carry URLs and timings only, but one line per webhook is enough: ours.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // Behind a proxy, protocol and host come from X-Forwarded-*: only used when LEADLOOP_PUBLIC_URL is unset.
    trustProxy: true,
    // Timeouts. HubSpot sends a whole delivery (under 100 events, well under 1 MB) at once and
    // gives up after 5 s, so a request still arriving after 10 s is a stalled or hostile client
    // (slowloris); without these limits (Node's request timeout is off in Fastify, the headers
    // one is 60 s) such clients hold sockets for ever. requestTimeout also bounds how long the
    // unread rest of a refused (413) body is read and dropped to keep its connection usable.
    requestTimeout: 10_000,
    // A socket silent this long while a request is under way (or before its first one) is dropped.
    connectionTimeout: 15_000,
    // Idle keep-alive sockets are kept longer than the idle timeout of the proxies and load
    // balancers in front (60 s on the common ones), or a proxy may reuse a socket the server
    // is closing at that moment and answer its client 502 (Fastify's own default, made explicit).
    keepAliveTimeout: 72_000,
    http: {
      // The headers come first and at once: 5 s is generous, and must not exceed requestTimeout.
      headersTimeout: 5_000,
      // Node checks the two limits above only this often (30 s by default, which would triple them).
      connectionsCheckingInterval: 1_000,
    },
    // A URL that cannot be decoded: answered like any bad request, without echoing the URL.
    frameworkErrors: (error, request, reply) => void handleError(error, request, reply, bodyLimit),
  });
  // Every answer, including refusals, is short JSON in our words: never a stack, an internal
  // error code or message, or what the request sent. Bad input is 4xx; 5xx only when leadloop
  // itself fails (logged here, never described to the caller).
  app.setErrorHandler((error: FastifyError, request, reply) => handleError(error, request, reply, bodyLimit));
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found' }));
  const access = options.admin ? new AdminAccess(options.admin.access) : undefined;
  const guard = access ? guardAdmin(access) : undefined;
  await app.register(healthRoutes, { readiness: options.readiness, registry, ...(access?.metricsGuarded && guard ? { metricsGuard: guard } : {}) });
  if (options.admin && access && guard) {
    const { dashboard, queues } = options.admin;
    await app.register(adminLoginRoutes, { access });
    // One scope for every admin surface: the guard runs before each of their routes.
    await app.register(async (scope) => {
      scope.addHook('onRequest', guard);
      if (dashboard) await scope.register(dashboardRoutes, dashboard);
      if (queues) await scope.register(queueBoardRoutes, queues);
    });
  }
  if (options.webhooks) {
    const events = leadloopMetrics(registry).webhookEvents;
    await app.register(webhookRoutes, { ...options.webhooks, bodyLimit, events, ...(options.now ? { now: options.now } : {}) });
  }
  return { app, registry };
}

/** What a refused request is told, by Fastify's error code: fixed words, nothing from the request. */
function refusal(error: FastifyError, bodyLimit: number): { status: number; body: { error: string; reason?: string } } {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: 'payload too large', reason: `the body is larger than ${bodyLimit} bytes` } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { error: 'unsupported media type', reason: 'the body must be application/json' } };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, body: { error: 'bad request', reason: 'the body does not match its Content-Length' } };
    case 'FST_ERR_BAD_URL':
      return { status: 400, body: { error: 'bad request', reason: 'the URL is not valid' } };
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  return { status, body: { error: status === 500 ? 'internal error' : (STATUS_CODES[status] ?? 'bad request').toLowerCase() } };
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, bodyLimit: number): FastifyReply {
  const { status, body } = refusal(error, bodyLimit);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ status, code: error.code }, 'request refused');
  // Fastify closes the connection after any body-parsing error. A 413 over a declared or
  // counted length leaves the framing intact: the server reads and drops the rest (bounded by
  // requestTimeout) and the client reads its 413 instead of a reset from writing to a closed socket.
  if (status === 413) reply.removeHeader('connection');
  return reply.code(status).send(body);
}
