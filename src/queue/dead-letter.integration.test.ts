import { afterAll, describe, expect, it } from 'vitest';
import { DeadLetterList, DeadLetterNotFound, summarizeDeadLetter, type DeadLetterInput } from './dead-letter.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';

const prefix = uniqueTestPrefix('dlq');
const redis = testConnection();
const dlq = new DeadLetterList(redis, prefix);

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

function refused(recordKey: string, at: number, overrides: Partial<DeadLetterInput> = {}): DeadLetterInput {
  const vendorError = Object.assign(new Error('Required fields are missing: [Company]'), {
    name: 'REQUIRED_FIELD_MISSING',
    errorCode: 'REQUIRED_FIELD_MISSING',
    fields: ['Company'],
  });
  return {
    system: 'salesforce',
    operation: 'lead-upsert',
    recordKey,
    reason: 'REQUIRED_FIELD_MISSING: Company',
    error: vendorError,
    payload: { LastName: 'Whitfield', Email: 'someone@example.com' },
    at,
    ...overrides,
  };
}

describe('DeadLetterList (real Redis)', () => {
  it('adds, lists newest first, shows with the raw vendor error, and counts', async () => {
    await dlq.add(refused('101', 1_000));
    await dlq.add(refused('102', 2_000));
    await dlq.add(refused('103', 3_000, { system: 'hubspot', operation: 'contact-update', reason: 'PROPERTY_DOESNT_EXIST' }));
    expect((await dlq.list()).map((r) => r.recordKey)).toEqual(['103', '102', '101']);
    expect((await dlq.list({ system: 'salesforce' })).map((r) => r.recordKey)).toEqual(['102', '101']);
    expect((await dlq.list({ offset: 1, limit: 1 })).map((r) => r.recordKey)).toEqual(['102']);
    const shown = await dlq.show('salesforce:lead-upsert:101');
    expect(shown?.error).toMatchObject({ name: 'REQUIRED_FIELD_MISSING', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Company'] });
    expect(await dlq.counts()).toEqual({
      total: 3,
      bySystem: { salesforce: 2, hubspot: 1 },
      byOperation: { 'salesforce:lead-upsert': 2, 'hubspot:contact-update': 1 },
    });
  });

  it('lists a record that fails again once, with its failure count', async () => {
    const again = await dlq.add(refused('101', 4_000));
    expect(again).toMatchObject({ failures: 2, firstAt: 1_000, at: 4_000 });
    expect((await dlq.list()).filter((r) => r.recordKey === '101')).toHaveLength(1);
    expect((await dlq.list())[0]?.recordKey).toBe('101');
  });

  it('the summary carries ids and reason only, no payload and no raw error', async () => {
    const record = await dlq.show('salesforce:lead-upsert:102');
    const summary = JSON.stringify(summarizeDeadLetter(record!));
    expect(summary).toContain('102');
    expect(summary).not.toContain('someone@example.com');
    expect(summary).not.toContain('Whitfield');
  });

  it('replay hands the record back for re-enqueue and removes it only when that worked', async () => {
    await expect(
      dlq.replay('salesforce:lead-upsert:102', async () => {
        throw new Error('queue down');
      }),
    ).rejects.toThrow('queue down');
    expect(await dlq.show('salesforce:lead-upsert:102')).not.toBeNull();
    const requeued: string[] = [];
    const result = await dlq.replay('salesforce:lead-upsert:102', async (record) => {
      requeued.push(record.recordKey);
      return 'job-7';
    });
    expect(result).toBe('job-7');
    expect(requeued).toEqual(['102']);
    expect(await dlq.show('salesforce:lead-upsert:102')).toBeNull();
    await expect(dlq.replay('salesforce:lead-upsert:102', async () => 'x')).rejects.toBeInstanceOf(DeadLetterNotFound);
  });

  it('drop removes a record', async () => {
    expect(await dlq.drop('hubspot:contact-update:103')).toBe(true);
    expect(await dlq.drop('hubspot:contact-update:103')).toBe(false);
    expect((await dlq.counts()).total).toBe(1);
  });

  it('drops entries that did not fail again within the retention, so the list cannot grow without end', async () => {
    const own = new DeadLetterList(redis, `${prefix}-retention`, { retentionMs: 10_000 });
    await own.add(refused('201', 1_000));
    await own.add(refused('202', 5_000));
    await own.add(refused('201', 9_000)); // failing again keeps it
    await own.add(refused('203', 16_000)); // 202 last failed 11 s before: gone
    expect((await own.list()).map((r) => r.recordKey).sort()).toEqual(['201', '203']);
    expect(await own.prune(100_000)).toBe(2);
    expect(await own.list()).toEqual([]);
    await deleteKeysWithPrefix(redis, `${prefix}-retention`);
  });

  it('drops every entry about one contact (its lead and its tasks) without reading the others', async () => {
    const own = new DeadLetterList(redis, `${prefix}-purge`);
    await own.add(refused('301', 1_000));
    await own.add(refused('301:first:step0', 1_000, { operation: 'task-create' }));
    await own.add(refused('3011', 1_000)); // another contact whose id starts alike
    expect(await own.dropForRecord('301')).toBe(2);
    expect((await own.list()).map((r) => r.recordKey)).toEqual(['3011']);
    await deleteKeysWithPrefix(redis, `${prefix}-purge`);
  });
});
