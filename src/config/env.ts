import { existsSync } from 'node:fs';
import { z } from 'zod';
import { LeadloopError } from '../errors/index.ts';

/**
 * The environment contract (README.md#configuration-environment), parsed once. Every command states which parts it
 * needs; a missing or malformed variable is reported together with every other problem, and
 * secret values are never echoed back (only variable names appear in messages).
 */
export type EnvNeed = 'hubspot' | 'salesforce' | 'webhooks' | 'server';

export type SalesforceAuth =
  | { kind: 'token'; instanceUrl: string; accessToken: string }
  | { kind: 'jwt'; loginUrl: string; clientId: string; username: string; privateKey?: string; privateKeyFile?: string }
  | { kind: 'client_credentials'; loginUrl: string; clientId: string; clientSecret: string };

export interface Env {
  redisUrl: string;
  prefix: string;
  configDir: string;
  dataDir: string;
  databaseUrl?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  host: string;
  port: number;
  adminToken?: string;
  /** LEADLOOP_ADMIN_QUEUE_ACTIONS=1: bull-board may retry, promote and remove jobs (read-only otherwise). */
  adminQueueActions?: boolean;
  publicUrl?: string;
  hubspot: { baseUrl: string; accessToken?: string; clientSecret?: string };
  salesforce: { apiVersion: string; auth?: SalesforceAuth };
}

/** Thrown when the environment does not satisfy what a command needs; `problems` lists every one. */
export class EnvInvalid extends LeadloopError {
  override readonly name = 'EnvInvalid';
  readonly code = 'ENV_INVALID' as const;
  readonly system = 'leadloop' as const;
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s === '' ? undefined : s));

const httpUrl = (name: string) =>
  optionalText.refine((value) => value === undefined || isUrl(value, ['http:', 'https:']), {
    message: `${name} must be an http(s) URL`,
  });

function isUrl(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const schema = z.object({
  REDIS_URL: optionalText.refine((v) => v === undefined || isUrl(v, ['redis:', 'rediss:']), {
    message: 'REDIS_URL must be a redis:// or rediss:// URL',
  }),
  // Colons would collide with the key layout (`<prefix>:<queue>:…`, `<prefix>:ll:…`); one {hash-tag} keeps a Lua script's keys in one Redis Cluster slot.
  LEADLOOP_PREFIX: optionalText.refine((v) => v === undefined || /^(\{[A-Za-z0-9_.-]+\}|[A-Za-z0-9_.-]+)+$/.test(v), {
    message: 'LEADLOOP_PREFIX may hold letters, digits, "_", "-", "." and {hash-tags}, no colons or spaces',
  }),
  LEADLOOP_CONFIG_DIR: optionalText,
  LEADLOOP_DATA_DIR: optionalText,
  DATABASE_URL: optionalText.refine((v) => v === undefined || isUrl(v, ['postgres:', 'postgresql:']), {
    message: 'DATABASE_URL must be a postgres:// URL',
  }),
  LOG_LEVEL: optionalText.refine((v) => v === undefined || ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(v), {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  }),
  HOST: optionalText,
  PORT: optionalText.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535), {
    message: 'PORT must be a whole number from 1 to 65535',
  }),
  LEADLOOP_ADMIN_TOKEN: optionalText,
  LEADLOOP_ADMIN_QUEUE_ACTIONS: optionalText.refine((v) => v === undefined || ['0', '1', 'true', 'false'].includes(v), {
    message: 'LEADLOOP_ADMIN_QUEUE_ACTIONS must be 1 or 0',
  }),
  LEADLOOP_PUBLIC_URL: httpUrl('LEADLOOP_PUBLIC_URL'),
  HUBSPOT_ACCESS_TOKEN: optionalText,
  HUBSPOT_CLIENT_SECRET: optionalText,
  HUBSPOT_BASE_URL: httpUrl('HUBSPOT_BASE_URL'),
  SALESFORCE_INSTANCE_URL: httpUrl('SALESFORCE_INSTANCE_URL'),
  SALESFORCE_ACCESS_TOKEN: optionalText,
  SALESFORCE_LOGIN_URL: httpUrl('SALESFORCE_LOGIN_URL'),
  SALESFORCE_CLIENT_ID: optionalText,
  SALESFORCE_USERNAME: optionalText,
  SALESFORCE_PRIVATE_KEY: optionalText,
  SALESFORCE_PRIVATE_KEY_FILE: optionalText.refine((v) => v === undefined || existsSync(v), {
    message: 'SALESFORCE_PRIVATE_KEY_FILE names a file that does not exist',
  }),
  SALESFORCE_CLIENT_SECRET: optionalText,
  SALESFORCE_API_VERSION: optionalText.refine((v) => v === undefined || /^\d{2,3}\.\d$/.test(v), {
    message: 'SALESFORCE_API_VERSION must look like 64.0',
  }),
});

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Parses the environment for the given needs; throws EnvInvalid listing every problem. */
export function loadEnv(source: NodeJS.ProcessEnv, options: { needs?: readonly EnvNeed[] } = {}): Env {
  const needs = new Set(options.needs ?? []);
  const parsed = schema.safeParse(source);
  const problems: string[] = [];
  if (!parsed.success) {
    // zod messages here are ours and name the variable, never its value.
    for (const issue of parsed.error.issues) problems.push(issue.message);
  }
  const v = parsed.success ? parsed.data : schema.partial().parse({});
  const missing = (name: keyof typeof v, why: string) => {
    if (v[name] === undefined && !problems.some((p) => p.startsWith(String(name)))) problems.push(`${name} is required ${why}`);
  };

  if (needs.has('hubspot')) missing('HUBSPOT_ACCESS_TOKEN', '(the HubSpot app access token)');
  if (needs.has('webhooks')) missing('HUBSPOT_CLIENT_SECRET', '(to verify HubSpot webhook signatures)');
  const host = v.HOST ?? '127.0.0.1';
  if (needs.has('server') && !LOOPBACK.has(host)) {
    missing('LEADLOOP_ADMIN_TOKEN', `when HOST (${host}) is not a loopback address`);
  }

  let auth: SalesforceAuth | undefined;
  const salesforceProblems: string[] = [];
  if (v.SALESFORCE_INSTANCE_URL && v.SALESFORCE_ACCESS_TOKEN) {
    auth = { kind: 'token', instanceUrl: v.SALESFORCE_INSTANCE_URL, accessToken: v.SALESFORCE_ACCESS_TOKEN };
  } else if (v.SALESFORCE_LOGIN_URL && v.SALESFORCE_CLIENT_ID && v.SALESFORCE_USERNAME && (v.SALESFORCE_PRIVATE_KEY || v.SALESFORCE_PRIVATE_KEY_FILE)) {
    auth = {
      kind: 'jwt',
      loginUrl: v.SALESFORCE_LOGIN_URL,
      clientId: v.SALESFORCE_CLIENT_ID,
      username: v.SALESFORCE_USERNAME,
      ...(v.SALESFORCE_PRIVATE_KEY ? { privateKey: v.SALESFORCE_PRIVATE_KEY } : {}),
      ...(v.SALESFORCE_PRIVATE_KEY_FILE ? { privateKeyFile: v.SALESFORCE_PRIVATE_KEY_FILE } : {}),
    };
  } else if (v.SALESFORCE_LOGIN_URL && v.SALESFORCE_CLIENT_ID && v.SALESFORCE_CLIENT_SECRET) {
    auth = { kind: 'client_credentials', loginUrl: v.SALESFORCE_LOGIN_URL, clientId: v.SALESFORCE_CLIENT_ID, clientSecret: v.SALESFORCE_CLIENT_SECRET };
  } else if (needs.has('salesforce')) {
    salesforceProblems.push(describeSalesforceGap(v));
  }
  problems.push(...salesforceProblems);

  if (problems.length > 0) throw new EnvInvalid(problems);

  return {
    redisUrl: v.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix: v.LEADLOOP_PREFIX ?? 'leadloop',
    configDir: v.LEADLOOP_CONFIG_DIR ?? './config',
    dataDir: v.LEADLOOP_DATA_DIR ?? './data',
    ...(v.DATABASE_URL ? { databaseUrl: v.DATABASE_URL } : {}),
    logLevel: (v.LOG_LEVEL ?? 'info') as Env['logLevel'],
    host,
    port: v.PORT ? Number(v.PORT) : 3000,
    ...(v.LEADLOOP_ADMIN_TOKEN ? { adminToken: v.LEADLOOP_ADMIN_TOKEN } : {}),
    ...(v.LEADLOOP_ADMIN_QUEUE_ACTIONS === '1' || v.LEADLOOP_ADMIN_QUEUE_ACTIONS === 'true' ? { adminQueueActions: true } : {}),
    ...(v.LEADLOOP_PUBLIC_URL ? { publicUrl: v.LEADLOOP_PUBLIC_URL } : {}),
    hubspot: {
      baseUrl: v.HUBSPOT_BASE_URL ?? 'https://api.hubapi.com',
      ...(v.HUBSPOT_ACCESS_TOKEN ? { accessToken: v.HUBSPOT_ACCESS_TOKEN } : {}),
      ...(v.HUBSPOT_CLIENT_SECRET ? { clientSecret: v.HUBSPOT_CLIENT_SECRET } : {}),
    },
    salesforce: { apiVersion: v.SALESFORCE_API_VERSION ?? '64.0', ...(auth ? { auth } : {}) },
  };
}

/** Says which variables would complete the nearest Salesforce login the user seems to have started. */
function describeSalesforceGap(v: Record<string, string | undefined>): string {
  const absent = (names: string[]) => names.filter((n) => !v[n]);
  const options = [
    { label: 'a direct session', names: ['SALESFORCE_INSTANCE_URL', 'SALESFORCE_ACCESS_TOKEN'] },
    { label: 'JWT bearer login', names: ['SALESFORCE_LOGIN_URL', 'SALESFORCE_CLIENT_ID', 'SALESFORCE_USERNAME', 'SALESFORCE_PRIVATE_KEY_FILE'] },
    { label: 'client-credentials login', names: ['SALESFORCE_LOGIN_URL', 'SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET'] },
  ];
  const started = options.filter((o) => o.names.some((n) => v[n] || (n === 'SALESFORCE_PRIVATE_KEY_FILE' && v.SALESFORCE_PRIVATE_KEY)));
  const candidates = started.length > 0 ? started : options;
  return `Salesforce credentials are incomplete: set ${candidates.map((o) => `${absent(o.names).join(' + ')} (${o.label})`).join(', or ')}`;
}
