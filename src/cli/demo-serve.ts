import type { Env } from '../config/env.ts';
import { startLeadloop } from './start.ts';

/**
 * The end of `leadloop demo` without `--exit`: leadloop runs on as `start --role all` would, over
 * the demo's sandbox, Redis prefix and ledger, and prints where its dashboard and queue view are.
 * PORT is tried first (3000 by default), any free port if it is taken. Without LEADLOOP_ADMIN_TOKEN
 * the admin pages are open to this machine only (the demo listens on loopback). Returns on Ctrl-C
 * or SIGTERM, after stopping leadloop.
 */
export async function serveDashboard(env: Env, out: (line?: string) => void, options: { port: number; adminToken?: string }): Promise<void> {
  const served: Env = { ...env, host: '127.0.0.1', ...(options.adminToken ? { adminToken: options.adminToken } : {}) };
  const running = await startLeadloop(served, { role: 'all', port: options.port }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    return startLeadloop(served, { role: 'all', port: 0 });
  });
  try {
    out(`Dashboard: ${running.url}/dashboard · queues: ${running.url}/admin/queues · metrics: ${running.url}/metrics`);
    out(options.adminToken ? '  Log in with LEADLOOP_ADMIN_TOKEN.' : '  No LEADLOOP_ADMIN_TOKEN set: open to this machine only (loopback).');
    out('  leadloop keeps running on the sandbox (Ctrl-C stops it); `leadloop demo --exit` ends after the report instead.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    await running.stop();
  }
}
