import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandboxClock, type SandboxClock } from './clock.ts';
import { FaultInjector, type FaultOptions } from './faults.ts';
import { RequestLog } from './request-log.ts';
import type { Emulator, SandboxReply, SandboxRequest } from './types.ts';
import { createHubSpotEmulator, type HubSpotEmulator, type HubSpotEmulatorOptions } from './hubspot/emulator.ts';
import { createSalesforceEmulator, type SalesforceEmulator, type SalesforceEmulatorOptions } from './salesforce/emulator.ts';

export interface SandboxOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Default 127.0.0.1: the sandbox is a test double and never listens beyond loopback by default. */
  host?: string;
  /** Seed for generated data and injected faults. Default 1. */
  seed?: number;
  /** Contacts to seed in HubSpot (and the matching Salesforce org data). Default 0. */
  contacts?: number;
  faults?: { hubspot?: FaultOptions; salesforce?: FaultOptions };
  hubspot?: Omit<HubSpotEmulatorOptions, 'baseUrl' | 'faults' | 'seed' | 'clock'>;
  salesforce?: Omit<SalesforceEmulatorOptions, 'baseUrl' | 'faults' | 'seed' | 'clock'>;
  /** The clock both emulators stamp record times with (clock.ts). Default: real time, movable. */
  clock?: SandboxClock;
}

/** What a client needs to talk to a running sandbox, printed by `leadloop sandbox`. */
export interface SandboxConnectionInfo {
  hubspot: { baseUrl: string; accessToken: string; clientSecret: string };
  salesforce: {
    instanceUrl: string;
    loginUrl: string;
    apiVersion: string;
    accessToken: string;
    /** A refresh token for the integration user (refresh-token grant). */
    refreshToken: string;
    clientId: string;
    clientSecret: string;
    username: string;
    privateKeyFile: string;
  };
  /** The same, as environment variables of leadloop's env contract. */
  env: Record<string, string>;
}

export interface Sandbox {
  readonly url: string;
  readonly hubspot: HubSpotEmulator;
  readonly salesforce: SalesforceEmulator;
  readonly requestLog: RequestLog;
  /** The time both emulators live in: advance it to make time pass for the data (a sales simulator does). */
  readonly clock: SandboxClock;
  connectionInfo(): SandboxConnectionInfo;
  /** Answers left hanging or stalled (fault injection) whose connection the client has not closed yet. */
  openStalls(): number;
  close(): Promise<void>;
}

/**
 * Starts one HTTP server that emulates both HubSpot's CRM API and Salesforce's REST API
 * (and its OAuth endpoints), so the official SDKs can be pointed at it unchanged.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const seed = options.seed ?? 1;
  const clock = options.clock ?? createSandboxClock();
  const requestLog = new RequestLog();
  // Node refuses request lines and headers over 16 KiB with its own 431; the emulators answer as their vendors do (salesforce/uri-limit.ts).
  const server = createServer({ keepAliveTimeout: 60_000, maxHeaderSize: 64 * 1024 });
  const hanging = new Set<ServerResponse>();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  const hubspot = await createHubSpotEmulator({
    ...options.hubspot,
    baseUrl: url,
    faults: new FaultInjector(options.faults?.hubspot, seed),
    seed,
    clock,
  });
  const salesforce = await createSalesforceEmulator({
    ...options.salesforce,
    baseUrl: url,
    faults: new FaultInjector(options.faults?.salesforce, seed + 1),
    seed,
    clock,
  });
  if (options.contacts) {
    const contacts = hubspot.seedContacts(options.contacts);
    salesforce.seedOrg(contacts);
  }
  const emulators: Emulator[] = [hubspot, salesforce];

  server.on('request', (req, res) => {
    void dispatch(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `sandbox failure: ${(error as Error).message}` }));
      }
    });
  });

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const request: SandboxRequest = {
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', url),
      headers: req.headers,
      rawBody,
    };
    if (request.url.pathname.startsWith('/__sandbox/')) return control(request, res);
    for (const emulator of emulators) {
      const reply = await emulator.handle(request);
      if (!reply) continue;
      requestLog.record({
        system: emulator.system,
        endpoint: reply.endpoint,
        method: request.method,
        path: request.url.pathname,
        status: reply.hang ? 0 : reply.status,
        // The request log is the caller's view: real time, not the sandbox's clock.
        at: Date.now(),
      });
      if (reply.hang) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (reply.partial === 'stall') {
        // Headers and half the body, then silence: the client's deadline must close the socket.
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return sendHalf(res, reply);
      }
      if (reply.partial === 'cut') {
        sendHalf(res, reply);
        res.socket?.destroy();
        return;
      }
      return send(res, reply);
    }
    send(res, { status: 404, endpoint: 'unknown', body: { message: `sandbox: no emulated API at ${request.method} ${request.url.pathname}` } });
  }

  function control(request: SandboxRequest, res: ServerResponse): void {
    if (request.url.pathname === '/__sandbox/requests') {
      if (request.method === 'DELETE') requestLog.reset();
      send(res, { status: 200, endpoint: 'control', body: requestLog.snapshot() });
      return;
    }
    if (request.url.pathname === '/__sandbox/info') {
      send(res, { status: 200, endpoint: 'control', body: connectionInfo() });
      return;
    }
    // People and forms creating contacts in HubSpot (not an API client): no rate limit, no token,
    // and each creation fires its webhook like any other.
    if (request.url.pathname === '/__sandbox/hubspot/contacts' && request.method === 'POST') {
      let body: { contacts?: unknown };
      try {
        body = JSON.parse(request.rawBody.toString('utf8')) as { contacts?: unknown };
      } catch {
        send(res, { status: 400, endpoint: 'control', body: { message: 'body must be JSON: {"contacts":[{...properties}]}' } });
        return;
      }
      if (!Array.isArray(body.contacts) || body.contacts.some((c) => !c || typeof c !== 'object')) {
        send(res, { status: 400, endpoint: 'control', body: { message: 'contacts must be an array of property objects' } });
        return;
      }
      const created = (body.contacts as Record<string, string | null>[]).map((properties) => hubspot.createContact(properties).id);
      send(res, { status: 201, endpoint: 'control', body: { ids: created } });
      return;
    }
    send(res, { status: 404, endpoint: 'control', body: { message: 'unknown sandbox control endpoint' } });
  }

  function connectionInfo(): SandboxConnectionInfo {
    const hs = hubspot.credentials();
    const sf = salesforce.credentials();
    return {
      hubspot: { baseUrl: url, ...hs },
      salesforce: { instanceUrl: url, loginUrl: url, ...sf },
      env: {
        HUBSPOT_BASE_URL: url,
        HUBSPOT_ACCESS_TOKEN: hs.accessToken,
        HUBSPOT_CLIENT_SECRET: hs.clientSecret,
        SALESFORCE_INSTANCE_URL: url,
        SALESFORCE_LOGIN_URL: url,
        SALESFORCE_API_VERSION: sf.apiVersion,
        SALESFORCE_CLIENT_ID: sf.clientId,
        SALESFORCE_CLIENT_SECRET: sf.clientSecret,
        SALESFORCE_USERNAME: sf.username,
        SALESFORCE_PRIVATE_KEY_FILE: sf.privateKeyFile,
      },
    };
  }

  return {
    url,
    hubspot,
    salesforce,
    requestLog,
    clock,
    connectionInfo,
    openStalls: () => hanging.size,
    async close() {
      for (const res of hanging) res.destroy();
      await Promise.all([hubspot.close?.(), salesforce.close?.()]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendHalf(res: ServerResponse, reply: SandboxReply): void {
  const payload = Buffer.from(JSON.stringify(reply.body ?? {}));
  res.writeHead(reply.status, { ...reply.headers, 'content-type': reply.contentType ?? 'application/json;charset=utf-8', 'content-length': String(payload.length) });
  res.write(payload.subarray(0, Math.max(1, Math.floor(payload.length / 2))));
}

function send(res: ServerResponse, reply: SandboxReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | Buffer | undefined;
  if (reply.body === undefined) {
    payload = undefined;
  } else if (typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) {
    payload = reply.body;
    headers['content-type'] ??= reply.contentType ?? 'text/plain; charset=utf-8';
  } else {
    payload = JSON.stringify(reply.body);
    headers['content-type'] ??= reply.contentType ?? 'application/json;charset=utf-8';
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}
