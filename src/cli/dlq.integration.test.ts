import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../../test/support/cli.ts';
import { DeadLetterList } from '../queue/dead-letter.ts';
import { deleteKeysWithPrefix, testConnection, TEST_REDIS_URL, uniqueTestPrefix } from '../../test/support/redis.ts';

const redis = testConnection();
const prefix = uniqueTestPrefix('dlq');
const env = { REDIS_URL: TEST_REDIS_URL, LEADLOOP_PREFIX: prefix };
afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  redis.disconnect();
});

describe('leadloop dlq', () => {
  it('lists, shows, replays through the hand-off queue, and drops dead letters; refuses what only a person can fix', async () => {
    const list = new DeadLetterList(redis, prefix);
    await list.add({ system: 'salesforce', operation: 'lead-upsert', recordKey: '4711', reason: 'REQUIRED_FIELD_MISSING: Company', error: { statusCode: 'REQUIRED_FIELD_MISSING' }, at: 1_000 });
    await list.add({ system: 'salesforce', operation: 'task-create', recordKey: '4712:first:step0', reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', error: null, at: 2_000 });
    await list.add({ system: 'leadloop', operation: 'merge-rekey', recordKey: '4713', reason: 'both have a lead', error: null, at: 3_000 });

    const listed = await runCliAsync(['dlq', 'list'], env);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines.slice(0, -1).map((l) => l.split('\t')[0])).toEqual(['leadloop:merge-rekey:4713', 'salesforce:task-create:4712:first:step0', 'salesforce:lead-upsert:4711']);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ ok: true, shown: 3, total: 3 });

    const shown = await runCliAsync(['dlq', 'show', 'salesforce:lead-upsert:4711'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ reason: 'REQUIRED_FIELD_MISSING: Company', error: { statusCode: 'REQUIRED_FIELD_MISSING' } });

    const replayed = await runCliAsync(['dlq', 'replay', 'salesforce:lead-upsert:4711'], env);
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout.trim())).toMatchObject({ ok: true, contactId: '4711' });
    const queue = new Queue('handoff', { connection: redis, prefix });
    try {
      const jobs = await queue.getJobs(['wait', 'prioritized', 'waiting'], 0, -1);
      // Taken afresh: the job says so, and the hand-off ignores the contact's fingerprint.
      expect(jobs.map((j) => [j.name, j.data.contactId, j.data.retake])).toEqual([['handoff-lead', '4711', true]]);
    } finally {
      await queue.close();
    }

    const manual = await runCliAsync(['dlq', 'replay', 'leadloop:merge-rekey:4713'], env);
    expect(manual.code).toBe(1);
    expect(manual.stderr).toContain('merge the two leads in Salesforce');

    expect((await runCliAsync(['dlq', 'drop', 'leadloop:merge-rekey:4713'], env)).code).toBe(0);
    expect((await runCliAsync(['dlq', 'drop', 'leadloop:merge-rekey:4713'], env)).code).toBe(1);
    expect((await list.list()).map((e) => e.id)).toEqual(['salesforce:task-create:4712:first:step0']);
  }, 60_000);
});
