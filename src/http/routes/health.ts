import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthRouteOptions {
  /** Each dependency's check: resolves when it answers, rejects when it does not. */
  readiness: Record<string, () => Promise<unknown>>;
  registry: Registry;
  readyTimeoutMs?: number;
  /** Runs before /metrics when the server is not on loopback (the admin guard). */
  metricsGuard?: onRequestHookHandler;
}

/** GET /healthz (the process answers), GET /readyz (its dependencies answer), GET /metrics (Prometheus). */
export async function healthRoutes(app: FastifyInstance, options: HealthRouteOptions): Promise<void> {
  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_request, reply) => {
    const timeout = options.readyTimeoutMs ?? 2_000;
    const entries = await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => {
        try {
          await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeout).unref())]);
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, error instanceof Error && error.message === 'timeout' ? 'timeout' : 'down'] as const;
        }
      }),
    );
    const ok = entries.every(([, state]) => state === 'ok');
    return reply.code(ok ? 200 : 503).send({ ok, checks: Object.fromEntries(entries) });
  });

  app.get('/metrics', options.metricsGuard ? { onRequest: options.metricsGuard } : {}, async (_request, reply) => reply.type(options.registry.contentType).send(await options.registry.metrics()));
}
