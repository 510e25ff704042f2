import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'trace', destination }) };
}

describe('logger redaction', () => {
  it('keeps seeded secrets and personal data out of every line', () => {
    const secrets = {
      token: 'pat-na1-11111111-2222-3333-4444-555555555555',
      email: 'jane.o.brien@example.org',
      phone: '+1 415 555 0199',
      first: 'Janelle',
      last: 'Brightwater',
      sfSession: '00Dxx0000001gPL!AQ4AQFakeSession',
      clientSecret: 'shhh-client-secret',
    };
    const { lines, logger } = capture();
    logger.info({ accessToken: secrets.token, contact: { id: '101', email: secrets.email, phone: secrets.phone } }, 'pulled contact');
    logger.info({ lead: { FirstName: secrets.first, LastName: secrets.last, Email: secrets.email } }, 'pushing lead');
    logger.warn({ request: { headers: { authorization: `Bearer ${secrets.sfSession}` } } }, 'request failed');
    logger.error({ config: { clientSecret: secrets.clientSecret, password: secrets.clientSecret } }, 'config');
    logger.info({ page: { contacts: [{ id: '7', properties: { email: secrets.email, firstname: secrets.first } }] } }, 'page');
    logger.debug({ record: { properties: { email: secrets.email, lastname: secrets.last } } }, 'record');

    const output = lines.join('');
    expect(lines).toHaveLength(6);
    for (const value of Object.values(secrets)) expect(output).not.toContain(value);
    expect(output).toContain('"id":"101"');
    expect(output).toContain('[redacted]');
  });
});
