import type { FastifyInstance } from 'fastify';
import type { AdminAccess } from '../admin-access.ts';

export interface AdminLoginOptions {
  access: AdminAccess;
}

/**
 * GET /login (the form), POST /login (the token in, a session cookie out), POST /logout. A wrong
 * token shows the form again with 401, never echoing what was typed; too many from one address get
 * 429. `next` only ever leads back into this server (a path, never another site).
 */
export async function adminLoginRoutes(app: FastifyInstance, options: AdminLoginOptions): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4_096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.get('/login', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    if (options.access.open) return reply.redirect(next, 303);
    return reply.type('text/html; charset=utf-8').send(loginPage(next, ''));
  });

  app.post('/login', async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    const next = safeNext(form.next);
    const token = typeof form.token === 'string' ? form.token : '';
    const verdict = options.access.attempt(token, request.ip);
    if (verdict === 'ok') {
      return reply.header('set-cookie', options.access.loginCookies(request.protocol === 'https')).redirect(next, 303);
    }
    request.log.info({ status: verdict === 'limited' ? 429 : 401 }, 'admin login refused');
    if (verdict === 'limited') reply.header('retry-after', '60');
    return reply
      .code(verdict === 'limited' ? 429 : 401)
      .type('text/html; charset=utf-8')
      .send(loginPage(next, verdict === 'limited' ? 'Too many wrong tokens from this address: try again in a minute.' : 'That token is not right.'));
  });

  app.post('/logout', async (_request, reply) => reply.header('set-cookie', options.access.logoutCookies()).redirect('/login', 303));
}

function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/dashboard';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(next: string, problem: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>leadloop — log in</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
form{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:min(22rem,90vw)}
h1{font-size:1.2rem;margin:0 0 1rem}label{display:block;margin-bottom:.4rem}
input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem}.problem{color:#b00020}
</style></head><body>
<form method="post" action="/login">
<h1>leadloop admin</h1>
${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
<label for="token">Admin token (LEADLOOP_ADMIN_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escapeHtml(next)}">
<button type="submit">Log in</button>
</form></body></html>`;
}
