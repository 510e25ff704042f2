import { readFileSync } from 'node:fs';
import { importPKCS8, SignJWT } from 'jose';
import { Connection } from 'jsforce';
import type { SalesforceAuth } from '../config/env.ts';
import { SalesforceAuthError } from './errors.ts';

export interface SalesforceConnectionOptions {
  auth: SalesforceAuth;
  apiVersion: string;
  /** Consecutive failed refreshes before giving up; jsforce would otherwise retry 401s forever (API_NOTES §0.5). */
  maxRefreshFailures?: number;
}

/**
 * A jsforce Connection from the env contract: a direct session, a JWT bearer login (assertion
 * signed with the private key, no refresh token: a new assertion on every refresh) or client
 * credentials. The API version is always set (jsforce defaults to 50.0).
 */
export async function connectSalesforce(options: SalesforceConnectionOptions): Promise<Connection> {
  const { auth, apiVersion } = options;
  const maxFailures = options.maxRefreshFailures ?? 3;
  let failures = 0;
  const mint = async (): Promise<{ access_token: string; instance_url: string }> => {
    if (auth.kind === 'token') throw new SalesforceAuthError('the Salesforce session expired and SALESFORCE_ACCESS_TOKEN cannot be refreshed: set up JWT or client-credentials login');
    const form: Record<string, string> =
      auth.kind === 'jwt'
        ? { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await jwtAssertion(auth) }
        : { grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret };
    const response = await fetch(`${auth.loginUrl.replace(/\/$/, '')}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; instance_url?: string; error?: string; error_description?: string };
    if (!response.ok || !body.access_token || !body.instance_url) {
      throw new SalesforceAuthError(`Salesforce login failed: ${body.error ?? response.status} ${body.error_description ?? ''}`.trim());
    }
    return { access_token: body.access_token, instance_url: body.instance_url };
  };

  const refreshFn = (conn: Connection, callback: (error: Error | null, accessToken?: string) => void) => {
    if (failures >= maxFailures) {
      callback(new SalesforceAuthError(`Salesforce session refresh failed ${failures} times in a row; giving up`));
      return;
    }
    mint().then(
      (token) => {
        failures = 0;
        conn.instanceUrl = token.instance_url;
        callback(null, token.access_token);
      },
      (error: Error) => {
        failures += 1;
        callback(error);
      },
    );
  };

  if (auth.kind === 'token') {
    return new Connection({ instanceUrl: auth.instanceUrl, accessToken: auth.accessToken, version: apiVersion, refreshFn });
  }
  const token = await mint();
  return new Connection({ instanceUrl: token.instance_url, accessToken: token.access_token, version: apiVersion, refreshFn });
}

async function jwtAssertion(auth: Extract<SalesforceAuth, { kind: 'jwt' }>): Promise<string> {
  const pem = auth.privateKey ?? readFileSync(auth.privateKeyFile!, 'utf8');
  const key = await importPKCS8(pem.includes('BEGIN') ? pem : pem.replace(/\\n/g, '\n'), 'RS256');
  // Salesforce JWT bearer: iss = consumer key, sub = username, aud = the login host, exp a few minutes ahead.
  return new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer(auth.clientId).setSubject(auth.username).setAudience(auth.loginUrl.replace(/\/$/, '')).setExpirationTime('3m').sign(key);
}
