import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvInvalid, loadEnv } from './env.ts';

function problemsOf(source: NodeJS.ProcessEnv, needs: Parameters<typeof loadEnv>[1]): string[] {
  try {
    loadEnv(source, needs);
  } catch (error) {
    if (error instanceof EnvInvalid) return error.problems;
    throw error;
  }
  return [];
}

describe('loadEnv', () => {
  it('applies the documented defaults when nothing is needed', () => {
    const env = loadEnv({}, {});
    expect(env).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'leadloop',
      configDir: './config',
      dataDir: './data',
      host: '127.0.0.1',
      port: 3000,
      logLevel: 'info',
      hubspot: { baseUrl: 'https://api.hubapi.com' },
      salesforce: { apiVersion: '64.0' },
    });
    expect(env.databaseUrl).toBeUndefined();
  });

  it('lists every missing variable for a sync at once', () => {
    const problems = problemsOf({}, { needs: ['hubspot', 'salesforce', 'webhooks'] });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toContain('HUBSPOT_ACCESS_TOKEN');
    expect(problems.join('\n')).toContain('HUBSPOT_CLIENT_SECRET');
    expect(problems.join('\n')).toMatch(/SALESFORCE_INSTANCE_URL \+ SALESFORCE_ACCESS_TOKEN/);
  });

  it('reports malformed values together with missing ones', () => {
    const problems = problemsOf(
      { REDIS_URL: 'http://nope', PORT: '99999', HUBSPOT_BASE_URL: 'not a url', SALESFORCE_PRIVATE_KEY_FILE: '/no/such/key.pem', SALESFORCE_API_VERSION: 'v64' },
      { needs: ['hubspot'] },
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('REDIS_URL'),
        expect.stringContaining('PORT'),
        expect.stringContaining('HUBSPOT_BASE_URL'),
        expect.stringContaining('SALESFORCE_PRIVATE_KEY_FILE'),
        expect.stringContaining('SALESFORCE_API_VERSION'),
        expect.stringContaining('HUBSPOT_ACCESS_TOKEN'),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('never echoes a secret value in its messages', () => {
    const secret = 'pat-na1-SECRET-VALUE-123';
    const problems = problemsOf({ HUBSPOT_ACCESS_TOKEN: secret, SALESFORCE_CLIENT_SECRET: secret, PORT: secret }, { needs: ['salesforce'] });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('names only the missing parts of a Salesforce login the user started', () => {
    const problems = problemsOf({ SALESFORCE_LOGIN_URL: 'https://login.salesforce.com', SALESFORCE_CLIENT_ID: 'abc' }, { needs: ['salesforce'] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('SALESFORCE_USERNAME + SALESFORCE_PRIVATE_KEY_FILE (JWT bearer login)');
    expect(problems[0]).toContain('SALESFORCE_CLIENT_SECRET (client-credentials login)');
    expect(problems[0]).not.toContain('direct session');
  });

  it('recognises each Salesforce login kind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadloop-env-'));
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, 'x');
    expect(loadEnv({ SALESFORCE_INSTANCE_URL: 'https://x.my.salesforce.com', SALESFORCE_ACCESS_TOKEN: 't' }, { needs: ['salesforce'] }).salesforce.auth?.kind).toBe('token');
    expect(
      loadEnv({ SALESFORCE_LOGIN_URL: 'https://login.salesforce.com', SALESFORCE_CLIENT_ID: 'c', SALESFORCE_USERNAME: 'u@x', SALESFORCE_PRIVATE_KEY_FILE: keyFile }, { needs: ['salesforce'] })
        .salesforce.auth,
    ).toMatchObject({ kind: 'jwt', privateKeyFile: keyFile });
    expect(loadEnv({ SALESFORCE_LOGIN_URL: 'https://x.my.salesforce.com', SALESFORCE_CLIENT_ID: 'c', SALESFORCE_CLIENT_SECRET: 's' }, { needs: ['salesforce'] }).salesforce.auth?.kind).toBe(
      'client_credentials',
    );
  });

  it('requires an admin token only when the server listens beyond loopback', () => {
    expect(problemsOf({ HOST: '127.0.0.1' }, { needs: ['server'] })).toEqual([]);
    expect(problemsOf({ HOST: '0.0.0.0' }, { needs: ['server'] })).toEqual([expect.stringContaining('LEADLOOP_ADMIN_TOKEN')]);
  });
});
