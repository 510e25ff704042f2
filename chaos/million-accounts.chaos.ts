import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
// The heap flags the Dockerfile runs leadloop with: the pull must fit under them.
const PRODUCTION_NODE_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=256'];

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, join(ROOT, script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('an org of 1,000,000 accounts is indexed under the production heap cap, and a batch reads only its domains', async () => {
  const { code, stdout, stderr } = await run('bench/accounts.ts', { BENCH_ACCOUNTS: '1000000' });
  expect(code, stderr.slice(-2_000)).toBe(0);
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { skipped?: string; indexed: number; heapLimitMb: number; peakHeapUsedMb: number; lookup: { domains: number; found: number } };
  if (result.skipped) throw new Error(`the account pull did not run: ${result.skipped}`);
  console.log(JSON.stringify({ scenario: 'million-accounts', ...result }));
  expect(result.indexed).toBe(1_000_000);
  expect(result.heapLimitMb).toBeLessThanOrEqual(300);
  // Pages of 2,000 go to the ledger as they come: the live heap stays a fraction of the cap.
  expect(result.peakHeapUsedMb).toBeLessThan(result.heapLimitMb / 2);
  // Half the 200 domains asked for exist (one account in ten has no website).
  expect(result.lookup.found).toBeGreaterThan(70);
  expect(result.lookup.found).toBeLessThanOrEqual(100);
}, 600_000);
