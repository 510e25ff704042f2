import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface AdminAccessOptions {
  /** LEADLOOP_ADMIN_TOKEN. Unset only on loopback (the env refuses to start a server elsewhere without it). */
  token?: string;
  /** The host the server listens on: off loopback, /metrics needs the token too. */
  host: string;
  /** Wrong tokens allowed per client address per minute; beyond, every attempt from it gets 429. Default 10. */
  failuresPerMinute?: number;
  /** How long a login lasts. Default 12 h. */
  sessionMs?: number;
  now?: () => number;
}

export const SESSION_COOKIE = 'leadloop_admin';
/** Read by bull-board's UI (axios sends it back as X-XSRF-TOKEN on same-origin requests). */
export const CSRF_COOKIE = 'XSRF-TOKEN';
export const CSRF_HEADER = 'x-xsrf-token';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const WINDOW_MS = 60_000;
/** The count of wrong tokens from every address together. */
const ANY_ADDRESS = '*';

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export type AccessVerdict = { ok: true; via: 'open' | 'bearer' | 'session'; session?: string } | { ok: false; status: 401 | 403 | 429; reason: string };

/**
 * Who may use the admin surfaces (/dashboard, /api, /admin/queues, and /metrics off loopback).
 * With LEADLOOP_ADMIN_TOKEN set, every request needs it: as `Authorization: Bearer <token>`, or
 * through the login form, which sets an HttpOnly, SameSite=Strict session cookie (an expiry and
 * its HMAC under a key derived from the token: no copy of the token leaves the server, and every
 * process with the same token accepts it). Tokens are compared as SHA-256 digests with
 * timingSafeEqual. Wrong tokens are counted per client address and refused with 429 beyond the
 * limit; no token is ever logged. Without a token (loopback only) the surfaces are open to this
 * machine. A request that changes something with a session (not a bearer header) must carry the
 * CSRF token too: the same-origin XSRF-TOKEN cookie's value in X-XSRF-TOKEN.
 */
export class AdminAccess {
  readonly #tokenDigest: Buffer | undefined;
  readonly #key: Buffer;
  readonly #failuresPerMinute: number;
  readonly #sessionMs: number;
  readonly #now: () => number;
  readonly #failures = new Map<string, { count: number; since: number }>();
  /** Whether /metrics needs the token: only when the server listens beyond loopback. */
  readonly metricsGuarded: boolean;

  constructor(options: AdminAccessOptions) {
    this.#tokenDigest = options.token === undefined ? undefined : digest(options.token);
    // Sessions outlive a restart and are shared by every process with the same token; with none, a key of this process.
    this.#key = options.token === undefined ? randomBytes(32) : createHmac('sha256', options.token).update('leadloop admin session key').digest();
    this.#failuresPerMinute = options.failuresPerMinute ?? 10;
    this.#sessionMs = options.sessionMs ?? 12 * 3_600_000;
    this.#now = options.now ?? Date.now;
    this.metricsGuarded = !isLoopback(options.host);
  }

  /** No token configured: the admin surfaces are open (the server is on loopback). */
  get open(): boolean {
    return this.#tokenDigest === undefined;
  }

  /** The verdict on one request to an admin surface. */
  check(request: FastifyRequest): AccessVerdict {
    const unsafe = !SAFE_METHODS.has(request.method);
    if (this.#tokenDigest === undefined) return unsafe && !this.#csrfMatches(request, 'open') ? csrfRefusal : { ok: true, via: 'open' };
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
    if (bearer !== undefined) {
      const verdict = this.attempt(bearer, request.ip);
      return verdict === 'ok' ? { ok: true, via: 'bearer' } : verdict === 'limited' ? limitedRefusal : { ok: false, status: 401, reason: 'wrong token' };
    }
    const session = cookies(request)[SESSION_COOKIE];
    if (session === undefined || !this.#sessionValid(session)) return { ok: false, status: 401, reason: 'not logged in' };
    if (unsafe && !this.#csrfMatches(request, session)) return csrfRefusal;
    return { ok: true, via: 'session', session };
  }

  /** A token offered (bearer header or login form): `limited` once the address has had too many wrong ones this minute. */
  attempt(candidate: string, address: string): 'ok' | 'wrong' | 'limited' {
    const now = this.#now();
    for (const key of [address, ANY_ADDRESS]) {
      const failures = this.#failures.get(key);
      if (failures && now - failures.since >= WINDOW_MS) this.#failures.delete(key);
    }
    // The address comes from X-Forwarded-For behind a proxy, which a guesser can vary: all addresses
    // together get ten times one address's allowance, so rotating it does not buy unlimited guesses.
    if ((this.#failures.get(address)?.count ?? 0) >= this.#failuresPerMinute) return 'limited';
    if ((this.#failures.get(ANY_ADDRESS)?.count ?? 0) >= this.#failuresPerMinute * 10) return 'limited';
    if (this.#tokenDigest !== undefined && timingSafeEqual(digest(candidate), this.#tokenDigest)) return 'ok';
    this.#countFailure(address, now);
    this.#countFailure(ANY_ADDRESS, now);
    return 'wrong';
  }

  /** Set-Cookie values after a good login: the session, and the CSRF token the pages send back. */
  loginCookies(secure: boolean): string[] {
    const expires = this.#now() + this.#sessionMs;
    const session = `${expires}.${this.#mac(`session:${expires}`)}`;
    const attributes = `Path=/; SameSite=Strict; Max-Age=${Math.floor(this.#sessionMs / 1000)}${secure ? '; Secure' : ''}`;
    return [`${SESSION_COOKIE}=${session}; HttpOnly; ${attributes}`, `${CSRF_COOKIE}=${this.#mac(`csrf:${session}`)}; ${attributes}`];
  }

  /** Set-Cookie values that end the session. */
  logoutCookies(): string[] {
    return [`${SESSION_COOKIE}=; HttpOnly; Path=/; SameSite=Strict; Max-Age=0`, `${CSRF_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0`];
  }

  /** The CSRF cookie for a verdict that has none yet (an open server, or an older session). */
  csrfCookie(verdict: AccessVerdict, secure: boolean): string | undefined {
    if (!verdict.ok || verdict.via === 'bearer') return undefined;
    return `${CSRF_COOKIE}=${this.#mac(`csrf:${verdict.session ?? 'open'}`)}; Path=/; SameSite=Strict${secure ? '; Secure' : ''}`;
  }

  #csrfMatches(request: FastifyRequest, session: string): boolean {
    const sent = request.headers[CSRF_HEADER];
    return typeof sent === 'string' && timingSafeEqual(digest(sent), digest(this.#mac(`csrf:${session}`)));
  }

  #sessionValid(value: string): boolean {
    const [expires, mac] = value.split('.');
    if (!expires || !mac || !/^\d+$/.test(expires) || Number(expires) <= this.#now()) return false;
    return timingSafeEqual(digest(mac), digest(this.#mac(`session:${expires}`)));
  }

  #mac(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64url');
  }

  #countFailure(address: string, now: number): void {
    // Bounded: addresses whose minute has passed are forgotten when the map grows large.
    if (this.#failures.size > 10_000) for (const [key, entry] of this.#failures) if (now - entry.since >= WINDOW_MS) this.#failures.delete(key);
    const entry = this.#failures.get(address);
    if (entry) entry.count += 1;
    else this.#failures.set(address, { count: 1, since: now });
  }
}

const csrfRefusal: AccessVerdict = { ok: false, status: 403, reason: 'the CSRF token is missing or wrong' };
const limitedRefusal: AccessVerdict = { ok: false, status: 429, reason: 'too many wrong tokens: try again in a minute' };

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function cookies(request: FastifyRequest): Record<string, string> {
  const result: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) result[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return result;
}

/**
 * The onRequest hook of an admin scope: refused requests get 401 (with a Bearer challenge), 403
 * (CSRF) or 429 (Retry-After); a browser asking for a page is sent to the login form instead.
 * The log line says why, never what was sent.
 */
export function guardAdmin(access: AdminAccess) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const verdict = access.check(request);
    const secure = request.protocol === 'https';
    if (verdict.ok) {
      // Renewed on every page and read, so that a cookie left from an earlier session never goes stale.
      const csrf = request.method === 'GET' ? access.csrfCookie(verdict, secure) : undefined;
      if (csrf) reply.header('set-cookie', csrf);
      return;
    }
    request.log.info({ status: verdict.status, reason: verdict.reason }, 'admin request refused');
    if (verdict.status === 429) reply.header('retry-after', '60');
    const wantsPage = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (verdict.status === 401 && wantsPage) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    if (verdict.status === 401) reply.header('www-authenticate', 'Bearer realm="leadloop"');
    return reply.code(verdict.status).send({ error: verdict.status === 401 ? 'unauthorized' : verdict.status === 403 ? 'forbidden' : 'too many requests', reason: verdict.reason });
  };
}
