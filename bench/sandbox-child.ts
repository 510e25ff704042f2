/**
 * The sandbox in a process of its own (`leadloop sandbox`), so a benchmark measures leadloop's
 * time and memory and not the emulators'.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SandboxConnectionInfo } from '../src/sandbox/server.ts';

const root = join(import.meta.dirname, '..');

export interface RequestSnapshot {
  hubspot: Record<string, number>;
  salesforce: Record<string, number>;
  statuses: { hubspot: Record<string, number>; salesforce: Record<string, number> };
}

export async function startSandboxChild(args: readonly string[], nodeArgs: readonly string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'src/cli.ts'), 'sandbox', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise<SandboxConnectionInfo & { exports: string[] }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before it was ready`)));
    lines.once('line', (line) => resolve(JSON.parse(line)));
  });
  // Interrupted (Ctrl-C, a timeout), the bench still takes its sandbox down with it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      child.kill('SIGTERM');
      process.exit(130);
    });
  const url = new URL(info.hubspot.baseUrl).origin;
  return {
    info,
    /** CPU the sandbox process has used (Linux /proc; undefined elsewhere), to tell its time from leadloop's. */
    cpuMs: (): number | undefined => {
      try {
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in clock ticks of 10 ms
      } catch {
        return undefined;
      }
    },
    requests: async (): Promise<RequestSnapshot> => (await fetch(`${url}/__sandbox/requests`)).json() as Promise<RequestSnapshot>,
    resetRequests: async () => void (await fetch(`${url}/__sandbox/requests`, { method: 'DELETE' })).arrayBuffer(),
    /** Contacts created in HubSpot by people and forms (not through the API: no token, no rate limit). */
    createContacts: async (contacts: readonly Record<string, string | null>[]): Promise<string[]> => {
      const response = await fetch(`${url}/__sandbox/hubspot/contacts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contacts }) });
      if (response.status !== 201) throw new Error(`sandbox refused the contacts: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { ids: string[] }).ids;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
