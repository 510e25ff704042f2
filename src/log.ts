import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino blanks out. Secrets (tokens, keys, authorization headers) and personal data
 * (emails, phones, names) must never reach a log line, wherever they sit in a logged object.
 */
const SENSITIVE_KEYS = [
  'authorization',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'token',
  'clientSecret',
  'client_secret',
  'secret',
  'password',
  'privateKey',
  'assertion',
  'email',
  'Email',
  'phone',
  'Phone',
  'mobilephone',
  'MobilePhone',
  'firstname',
  'lastname',
  'FirstName',
  'LastName',
  'Name',
  'name',
  'address',
  // HubSpot records carry personal data in `properties`; log ids, never the property bag.
  'properties',
  'body',
];

// pino's redaction (fast-redact) has no recursive wildcard: cover the depths our objects use.
export const REDACT_PATHS = SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`, `*.*.*.*.${key}`]);

export interface LoggerOptions {
  level?: string;
  /** Where lines go; default stderr, because stdout carries JSON summaries for scripts. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'leadloop' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

export type { Logger };
