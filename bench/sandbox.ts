/**
 * Sandbox figures: time to seed N contacts (default 100,000) with the matching Salesforce
 * org, and the memory it takes. JSON on the last line.
 */
import { startSandbox } from '../src/sandbox/server.ts';

const contacts = Number(process.env.BENCH_CONTACTS ?? 100_000);
const before = process.memoryUsage().rss;
const started = performance.now();
const sandbox = await startSandbox({ contacts, seed: 42 });
const seedMs = performance.now() - started;
const rssMb = (process.memoryUsage().rss - before) / 1_048_576;
await sandbox.close();
console.log(JSON.stringify({ contacts, seedAndStartMs: Math.round(seedMs), rssAddedMb: Math.round(rssMb) }));
