/**
 * `npm run bench`: runs every benchmark script in its own Node process (so each has a core
 * and a heap of its own), collects the JSON each prints as its last line, and prints all of
 * them as one JSON object on the last line.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = ['sandbox', 'domain', 'sync', 'backfill', 'accounts', 'webhook', 'feedback', 'report', 'dashboard', 'simulate'].filter((name) => only.length === 0 || only.includes(name));

// The V8 flags the Dockerfile runs leadloop with (NODE_OPTIONS there), for the benchmarks whose
// process is leadloop alone (their sandbox runs in a child process without them).
const PRODUCTION_NODE_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=256'];
const LEADLOOP_ONLY = new Set(['backfill', 'accounts', 'webhook']);

function runScript(name: string): Promise<unknown> {
  return new Promise((resolve) => {
    const flags = LEADLOOP_ONLY.has(name) ? PRODUCTION_NODE_FLAGS : [];
    const child = spawn(process.execPath, [...flags, join(here, `${name}.ts`)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(code === 0 ? JSON.parse(last) : { error: `exit code ${code}` });
      } catch {
        resolve({ error: 'no JSON on the last line' });
      }
    });
  });
}

const results: Record<string, unknown> = {};
for (const name of benches) {
  process.stderr.write(`\n== bench ${name}\n`);
  results[name] = await runScript(name);
}
process.stdout.write(`${JSON.stringify({ node: process.version, cpus: (await import('node:os')).cpus().length, ...results })}\n`);
