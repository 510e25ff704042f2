import type { Command } from 'commander';
import type { FaultOptions } from '../sandbox/faults.ts';
import { CliError, EXIT } from './errors.ts';

const FAULT_KEYS: readonly (keyof FaultOptions)[] = [
  'rate429',
  'rate5xx',
  'latencyMs',
  'hangRate',
  'lostAnswerRate',
  'stallBodyRate',
  'cutBodyRate',
  'sessionExpiryAfterCalls',
  'dailyLimitAfterCalls',
];

/** Parses `--fault hubspot.rate429=0.05` (repeatable) into per-system fault options. */
export function parseFaults(specs: readonly string[]): { hubspot?: FaultOptions; salesforce?: FaultOptions } {
  const faults: { hubspot?: FaultOptions; salesforce?: FaultOptions } = {};
  for (const spec of specs) {
    const match = /^(hubspot|salesforce)\.([A-Za-z0-9]+)=([0-9.]+)$/.exec(spec.trim());
    if (!match) throw new CliError(`--fault "${spec}" must look like hubspot.rate429=0.05 (system.option=number)`, EXIT.usage);
    const [, system, key, raw] = match as unknown as [string, 'hubspot' | 'salesforce', string, string];
    if (!FAULT_KEYS.includes(key as keyof FaultOptions)) {
      throw new CliError(`--fault option "${key}" is not one of ${FAULT_KEYS.join(', ')}`, EXIT.usage);
    }
    const value = Number(raw);
    if (key.endsWith('Rate') || key.startsWith('rate')) {
      if (value < 0 || value > 1) throw new CliError(`--fault ${system}.${key} is a share of requests from 0 to 1`, EXIT.usage);
    }
    faults[system] = { ...faults[system], [key]: value };
  }
  return faults;
}

function integer(name: string) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw)) throw new CliError(`${name} must be a whole number, got "${raw}"`, EXIT.usage);
    return Number(raw);
  };
}

export function register(program: Command, _source: NodeJS.ProcessEnv): void {
  program
    .command('sandbox')
    .description('run the local HubSpot + Salesforce emulators; prints one JSON line with URLs and credentials')
    .option('--port <port>', 'TCP port (0 picks a free one)', integer('--port'), 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--contacts <n>', 'contacts to seed', integer('--contacts'), 0)
    .option('--accounts <n>', 'Salesforce accounts to seed beyond those of the contacts (a large org)', integer('--accounts'), 0)
    .option('--seed <n>', 'seed of generated data and injected faults', integer('--seed'), 1)
    .option('--webhook-url <url>', 'send HubSpot contact webhooks (v3-signed with the sandbox client secret) to this URL')
    .option('--webhook-batch-ms <ms>', 'gather webhook events this long before a delivery (HubSpot batches too)', integer('--webhook-batch-ms'), 50)
    .option('--vanilla-portal', "a HubSpot portal with HubSpot's standard contact properties only (no lead_source, BANT or demo properties)")
    .option('--simulate-sales', 'a seeded sales team works the pushed leads continuously (src/sandbox/sales/live.ts); logs to stderr')
    .option('--sales-speed <days>', 'with --simulate-sales: simulated days per real minute (60: a day a second)', Number, 60)
    .option('--fault <system.option=value>', `inject faults (repeatable); options: ${FAULT_KEYS.join(', ')}`, (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(
      async (options: {
        port: number;
        host: string;
        contacts: number;
        accounts: number;
        seed: number;
        fault: string[];
        webhookUrl?: string;
        webhookBatchMs: number;
        simulateSales?: boolean;
        salesSpeed: number;
        vanillaPortal?: boolean;
      }) => {
        const faults = parseFaults(options.fault);
        // Loaded on use: the emulators are heavy and no other command needs them.
        const { startSandbox } = await import('../sandbox/server.ts');
        if (options.simulateSales && !(options.salesSpeed > 0)) throw new CliError('--sales-speed must be a positive number of simulated days per real minute', EXIT.usage);
        if (options.webhookUrl && !/^https?:\/\//.test(options.webhookUrl)) throw new CliError(`--webhook-url must be an http(s) URL, got "${options.webhookUrl}"`, EXIT.usage);
        const sandbox = await startSandbox({
          port: options.port,
          host: options.host,
          contacts: options.contacts,
          seed: options.seed,
          faults,
          ...(options.accounts ? { salesforce: { extraAccounts: options.accounts } } : {}),
          hubspot: {
            ...(options.webhookUrl ? { webhooks: { targetUrl: options.webhookUrl, batchDelayMs: options.webhookBatchMs } } : {}),
            ...(options.vanillaPortal ? { vanillaPortal: true } : {}),
          },
        });
        // The sales team works the pushed leads in compressed time; it writes to stderr only (stdout's one JSON line is a contract).
        const sales = options.simulateSales
          ? (await import('../sandbox/sales/live.ts')).startLiveSales(sandbox.salesforce, { seed: options.seed, speed: options.salesSpeed, log: (line) => process.stderr.write(`${line}\n`) })
          : undefined;
        const info = sandbox.connectionInfo();
        const exports = Object.entries(info.env).map(([k, v]) => `export ${k}=${v}`);
        process.stdout.write(`${JSON.stringify({ ...info, contacts: options.contacts, seed: options.seed, exports })}\n`);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        sales?.stop();
        await sandbox.close();
      },
    );
}
