#!/usr/bin/env node
// leadloop runs TypeScript directly (Node 24 strips types). Older Node cannot, so say so
// plainly instead of failing on the first `.ts` import.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(`leadloop needs Node.js 24 or later (this is ${process.version}).\nRun it through npm (npx leadloop / npm run leadloop), which puts the project's Node 24 first on the PATH.\n`);
  process.exit(2);
}
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
