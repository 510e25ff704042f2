import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { CliError, EXIT } from './errors.ts';

/** Entries leadloop cannot fix by itself: replaying them would only fail again. */
const NOT_REPLAYABLE: Record<string, string> = {
  'merge-rekey': 'merge the two leads in Salesforce, then `leadloop dlq drop` this entry',
  'privacy-erase': 'erase the record in Salesforce by hand, then `leadloop dlq drop` this entry',
};

async function open(source: NodeJS.ProcessEnv) {
  const env = loadEnv(source);
  const [{ createRedisConnection }, { DeadLetterList }] = await Promise.all([import('../queue/connection.ts'), import('../queue/dead-letter.ts')]);
  const redis = createRedisConnection({ url: env.redisUrl }, 'client');
  return { env, redis, list: new DeadLetterList(redis, env.prefix), close: () => redis.disconnect() };
}

/** The HubSpot contact a dead letter is about: its record key, or the part before a task key's `:`. */
function contactOf(recordKey: string): string {
  return recordKey.split(':')[0]!;
}

export function register(program: Command, source: NodeJS.ProcessEnv): void {
  const dlq = program.command('dlq').description('the dead-letter list: records a system refused for good, with the reason');

  dlq
    .command('list')
    .description('newest first: one line per entry (id, failures, reason), then a JSON line with the counts')
    .option('--system <system>', 'hubspot | salesforce | leadloop')
    .option('--limit <n>', 'at most this many entries', '50')
    .action(async (options: { system?: string; limit: string }) => {
      if (options.system && !['hubspot', 'salesforce', 'leadloop'].includes(options.system))
        throw new CliError(`--system must be hubspot, salesforce or leadloop, not "${options.system}"`, EXIT.usage);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a whole number of at least 1', EXIT.usage);
      const { list, close } = await open(source);
      try {
        const entries = await list.list({ limit, ...(options.system ? { system: options.system as 'hubspot' } : {}) });
        for (const e of entries) process.stdout.write(`${e.id}\t${e.failures}×\t${new Date(e.at).toISOString()}\t${e.reason}\n`);
        process.stdout.write(`${JSON.stringify({ ok: true, shown: entries.length, ...(await list.counts()) })}\n`);
      } finally {
        close();
      }
    });

  dlq
    .command('show <id>')
    .description('one entry with the raw error the system answered (may quote the record: it is shown here, never logged)')
    .action(async (id: string) => {
      const { list, close } = await open(source);
      try {
        const entry = await list.show(id);
        if (!entry) throw new CliError(`no dead letter "${id}" (see \`leadloop dlq list\`)`, EXIT.failure);
        process.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
      } finally {
        close();
      }
    });

  dlq
    .command('replay <id>')
    .description('hand the contact to the webhook hand-off queue again (after fixing the cause), then drop the entry')
    .action(async (id: string) => {
      const { env, redis, list, close } = await open(source);
      const [{ Queue }, { handoffJobOptions }, { HANDOFF_JOB }] = await Promise.all([import('bullmq'), import('../queue/queues.ts'), import('../queue/webhook-intake.ts')]);
      const queue = new Queue('handoff', { connection: redis, prefix: env.prefix });
      try {
        const entry = await list.show(id);
        if (!entry) throw new CliError(`no dead letter "${id}" (see \`leadloop dlq list\`)`, EXIT.failure);
        const manual = NOT_REPLAYABLE[entry.operation];
        if (manual) throw new CliError(`"${id}" is not replayed by leadloop: ${manual}`, EXIT.failure);
        const contactId = contactOf(entry.recordKey);
        // Taken afresh by the hand-off, even where its inputs did not change.
        const job = await list.replay(id, () => queue.add(HANDOFF_JOB, { contactId, receivedAt: Date.now(), retake: true }, handoffJobOptions(contactId)));
        process.stdout.write(`${JSON.stringify({ ok: true, replayed: id, contactId, job: job.id })}\n`);
      } finally {
        await queue.close();
        close();
      }
    });

  dlq
    .command('drop <id>')
    .description('remove an entry (its cause was dealt with elsewhere)')
    .action(async (id: string) => {
      const { list, close } = await open(source);
      try {
        if (!(await list.drop(id))) throw new CliError(`no dead letter "${id}" (see \`leadloop dlq list\`)`, EXIT.failure);
        process.stdout.write(`${JSON.stringify({ ok: true, dropped: id })}\n`);
      } finally {
        close();
      }
    });
}
