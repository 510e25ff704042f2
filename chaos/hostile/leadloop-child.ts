// `leadloop start` exactly as the CLI runs it, in a child process of a chaos test, with one hook
// for measuring: on SIGUSR2 it collects garbage (the parent starts it with --expose-gc) and writes
// its memory as one tagged JSON line on stderr. Nothing else differs from `node src/cli.ts`.
import { main } from '../../src/cli.ts';
import { MEMORY_TAG } from './child.ts';

const collect = (globalThis as { gc?: () => void }).gc;
process.on('SIGUSR2', () => {
  // Twice: the first pass may only queue finalizers that free more on the second.
  collect?.();
  collect?.();
  const m = process.memoryUsage();
  process.stderr.write(`${MEMORY_TAG}${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, gc: collect !== undefined })}\n`);
});

process.exitCode = await main(process.argv.slice(2));
