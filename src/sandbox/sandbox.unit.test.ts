import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../test/support/fixtures.ts';
import { FaultInjector } from './faults.ts';
import { IdFactory, isSalesforceId, toId18 } from './salesforce/ids.ts';
import { parseSoql, SoqlError } from './salesforce/soql.ts';
import { generateContacts } from './seed/contacts.ts';
import { signWebhookV3 } from './webhook-sender.ts';

describe('Salesforce ids', () => {
  it('computes the case-safety suffix of 18-character ids', () => {
    expect(toId18('a0D30000001n7Pi')).toBe('a0D30000001n7PiEAI');
    expect(toId18('00D30000000nSxh')).toBe('00D30000000nSxhEAE');
  });
  it("hands out valid ids with the object's key prefix", () => {
    const ids = new IdFactory();
    const lead = ids.next('Lead');
    expect(lead).toMatch(/^00Q/);
    expect(isSalesforceId(lead)).toBe(true);
    expect(toId18(lead.slice(0, 15))).toBe(lead);
    expect(ids.next('Lead')).not.toBe(lead);
  });
});

describe('SOQL subset parser', () => {
  it('parses fields, relationships, conditions, order and limits', () => {
    const q = parseSoql(
      "SELECT Id, Owner.Email FROM Lead WHERE (Email IN ('a@x.com', 'b@x.com') OR NOT IsConverted = true) AND SystemModstamp > 2024-01-01T00:00:00Z ORDER BY SystemModstamp DESC NULLS LAST, Id LIMIT 200 OFFSET 10",
    );
    expect(q).toMatchObject({
      fields: ['Id', 'Owner.Email'],
      from: 'Lead',
      limit: 200,
      offset: 10,
      orderBy: [
        { field: 'SystemModstamp', desc: true, nullsLast: true },
        { field: 'Id', desc: false, nullsLast: false },
      ],
    });
  });
  it('parses parent-child subqueries in the SELECT list, each with its own filter, order and limit', () => {
    const q = parseSoql(
      "SELECT Id, (SELECT ContactId, Contact.Email FROM OpportunityContactRoles WHERE IsPrimary = true ORDER BY CreatedDate LIMIT 5), Name, (SELECT CompetitorName FROM OpportunityCompetitors) FROM Opportunity WHERE Name != 'x'",
    );
    expect(q).toMatchObject({
      fields: ['Id', 'Name'],
      from: 'Opportunity',
      where: { kind: 'cmp', field: 'Name', op: '!=' },
      subqueries: [
        { fields: ['ContactId', 'Contact.Email'], from: 'OpportunityContactRoles', where: { kind: 'cmp', field: 'IsPrimary', value: true }, orderBy: [{ field: 'CreatedDate' }], limit: 5 },
        { fields: ['CompetitorName'], from: 'OpportunityCompetitors', orderBy: [] },
      ],
    });
  });
  it.each([
    ["SELECT Id FROM Lead WHERE LastName = 'x\\' OR Id != null", 'unterminated string literal'],
    ["SELECT Id FROM Lead WHERE LastName = 'a\\qb'", "Illegal character sequence '\\q'"],
    ['SELECT Id FROM Lead GROUP BY Id', 'GROUP is not supported by the sandbox'],
    ['SELECT Id, (SELECT Id, (SELECT Id FROM Histories) FROM OpportunityHistories) FROM Opportunity', 'nested subqueries are not supported'],
    ['SELECT Id, (SELECT Id FROM OpportunityHistories FROM Opportunity', "expected ')'"],
    ['SELECT Id FROM Lead WHERE CreatedDate = TODAY', 'not supported by the sandbox'],
    ['SELECT Id FROM Lead, Contact', 'only one object in FROM'],
  ])('refuses %s clearly', (soql, message) => {
    expect(() => parseSoql(soql)).toThrowError(SoqlError);
    expect(() => parseSoql(soql)).toThrowError(message);
  });
});

describe('fault injection', () => {
  it('is deterministic for a seed and close to the configured rates', () => {
    const roll = (seed: number) => {
      const faults = new FaultInjector({ rate429: 0.1, rate5xx: 0.05, hangRate: 0.01 }, seed);
      return Array.from({ length: 10_000 }, () => faults.decide().kind);
    };
    const a = roll(7);
    expect(roll(7)).toEqual(a);
    expect(roll(8)).not.toEqual(a);
    const share = (kind: string) => a.filter((k) => k === kind).length / a.length;
    expect(share('rate-limit')).toBeCloseTo(0.1, 1);
    expect(share('server-error')).toBeCloseTo(0.05, 1);
    expect(share('hang')).toBeCloseTo(0.01, 1);
    expect(new FaultInjector({}, 1).decide()).toEqual({ kind: 'none' });
  });
});

describe('contact generator', () => {
  it('is deterministic from the seed and carries the dirt real CRMs hold', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    const a = generateContacts(3_000, 9, now);
    expect(generateContacts(3_000, 9, now)).toEqual(a);
    const emails = a.map((c) => c.properties.email ?? '');
    expect(new Set(emails.map((e) => e.toLowerCase())).size).toBeGreaterThan(2_900);
    expect(emails.some((e) => /@(gmail|yahoo|hotmail|outlook|icloud)\.com$/.test(e))).toBe(true);
    expect(emails.some((e) => !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(e) && e !== '')).toBe(true);
    expect(emails.some((e) => /@(rivalytics|datapeak)\.example$/.test(e))).toBe(true);
    expect(emails.some((e) => /\+(events|webinar|work)@/.test(e))).toBe(true);
    expect(a.some((c) => /student/i.test(c.properties.jobtitle ?? ''))).toBe(true);
    expect(a.some((c) => (c.properties.lastname ?? '').includes("'") && (c.properties.lastname ?? '').includes('\\'))).toBe(true);
    expect(a.some((c) => (c.properties.company ?? '').length > 255)).toBe(true);
    expect(new Set(a.map((c) => c.properties.lead_source))).toEqual(new Set(['trade_show', 'event', 'demo_request', 'web_form', 'webinar', 'content_download', 'paid_ads', 'referral', 'other']));
    expect(a.some((c) => c.properties.demo_watched === 'full') && a.some((c) => c.properties.demo_watched === 'partial')).toBe(true);
    expect(a.every((c) => c.at <= now && c.at > now - 125 * 86_400_000)).toBe(true);
  });
});

describe('webhook signatures', () => {
  it('computes the v3 algorithm of test/fixtures/vendor/hubspot/webhook_signature_vectors.md (vector: docs/hubspot-api.md#webhook-signatures)', () => {
    const vectors = readFileSync(join(FIXTURES, 'hubspot/webhook_signature_vectors.md'), 'utf8');
    expect(vectors).toContain('v3: base64(HMAC_SHA256(key=secret, METHOD + URI + body + X-HubSpot-Request-Timestamp))');
    const secret = /client secret: (\S+)/.exec(vectors)![1]!;
    expect(signWebhookV3(secret, 'POST', 'https://www.example.com/webhook_uri', '[{"eventId":1}]', 1700000000000)).toBe('vnX5Als0n2OhEZQxOS/1ftERzeabHuxE8jEarlPWRdE=');
  });
});

describe('Salesforce org field indexes', async () => {
  const { Org } = await import('./salesforce/org.ts');

  it('finds by field exactly as a scan would, through creates, updates, deletes and case', () => {
    const org = new Org({ duplicateRuleOnLeadEmail: false });
    const owner = org.insertRaw('User', { Username: 'owner@x.example', Email: 'owner@x.example', LastName: 'Owner', IsActive: true }).Id;
    const write = { autoAssign: false, allowDuplicateSave: false, userId: owner };
    const lead = (email: string, ext: string) => org.create('Lead', { LastName: 'L', Company: 'C', Email: email, HubSpot_Contact_Id__c: ext, OwnerId: owner }, write);
    const a = lead('Ana@X.example', '1');
    expect(org.findByField('Lead', 'Email', 'ana@x.example').map((r) => r.Id)).toEqual([a.Id]); // index built here
    const b = lead('ana@x.example', '2');
    expect(org.findByField('Lead', 'Email', 'ANA@x.example').map((r) => r.Id)).toEqual([a.Id, b.Id]);
    org.update('Lead', a.Id, { Email: 'ana.new@x.example' }, write);
    expect(org.findByField('Lead', 'Email', 'ana@x.example').map((r) => r.Id)).toEqual([b.Id]);
    expect(org.candidates('Lead', 'Email', ['ana.new@x.example', 'ANA@X.EXAMPLE'])?.map((r) => r.Id)).toEqual([a.Id, b.Id]);
    org.delete('Lead', b.Id);
    expect(org.findByField('Lead', 'Email', 'ana@x.example')).toEqual([]);
    expect(org.findByField('Lead', 'HubSpot_Contact_Id__c', '1').map((r) => r.Id)).toEqual([a.Id]);
  });

  it('sees records changed outside its writes once told to rebuild', () => {
    const org = new Org({ duplicateRuleOnLeadEmail: false });
    const record = org.insertRaw('Contact', { LastName: 'C', Email: 'old@x.example' });
    expect(org.findByField('Contact', 'Email', 'old@x.example')).toHaveLength(1);
    Object.assign(record, { Email: 'new@x.example' });
    org.invalidateIndexes();
    expect(org.findByField('Contact', 'Email', 'new@x.example')).toHaveLength(1);
    expect(org.findByField('Contact', 'Email', 'old@x.example')).toHaveLength(0);
  });
});
