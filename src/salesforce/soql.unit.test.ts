import { describe, expect, it } from 'vitest';
import { escapeSoqlLike, escapeSoqlString, identifier, inLists, salesforceId, soqlDateTime } from './soql.ts';
import { ConcurrencyLimit, DailyLimit } from '../errors/index.ts';
import { classifySalesforceError } from './errors.ts';

describe('SOQL escaping (test/fixtures/vendor/salesforce/soql_escape.md)', () => {
  it.each([
    ["Bob's BBQ", "Bob\\'s BBQ"],
    ['a\\', 'a\\\\'],
    ["x\\' OR Id != null", "x\\\\\\' OR Id != null"],
  ])('%s → %s', (input, literal) => expect(escapeSoqlString(input)).toBe(literal));
  it('escapes LIKE wildcards when the match must be literal', () => expect(escapeSoqlLike('50%_off')).toBe('50\\%\\_off'));
  it('allow-lists identifiers and ids, and writes datetimes unquoted', () => {
    expect(identifier('HubSpot_Contact_Id__c')).toBe('HubSpot_Contact_Id__c');
    expect(() => identifier('Email; DELETE')).toThrow();
    expect(() => salesforceId("00Q' OR ''='")).toThrow();
    expect(soqlDateTime(Date.parse('2024-01-01T00:00:00.123Z'))).toBe('2024-01-01T00:00:00Z');
  });
  it('splits long IN lists', () => {
    const lists = inLists(Array.from({ length: 1200 }, (_, i) => `person${i}@example.com`));
    expect(lists).toHaveLength(3);
    expect(lists[0]!.split(', ')).toHaveLength(500);
  });
});

describe('Salesforce error mapping', () => {
  it('tells the daily allocation from the concurrent-request limit by the message', () => {
    expect(classifySalesforceError({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' })).toBeInstanceOf(DailyLimit);
    expect(classifySalesforceError({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' })).toBeInstanceOf(ConcurrencyLimit);
  });
});
