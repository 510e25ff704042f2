import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/**
 * Redis for the demo: REDIS_URL (or the local default) when it answers, else an embedded
 * `redis-server` on a free port (nothing kept on disk), else undefined with the install hint.
 */
export async function demoRedis(configured: string | undefined): Promise<{ url: string; stop: () => void } | { missing: string }> {
  const url = configured ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(url)) return { url, stop: () => undefined };
  if (spawnSync('redis-server', ['--version']).error) {
    return { missing: `no Redis answers at ${url} and redis-server is not installed (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis), or set REDIS_URL` };
  }
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const embedded = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisAnswers(embedded)); i++) await new Promise((r) => setTimeout(r, 100));
  return { url: embedded, stop: () => child.kill() };
}

/** Whether a Redis answers PING at `url` (within a second). */
export async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  // A refusal is the answer here ("no"), not something for ioredis to print as unhandled.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
