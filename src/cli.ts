import { Command, CommanderError } from 'commander';
import { EXIT, reportError } from './cli/errors.ts';
import { register as registerConfig } from './cli/config.ts';
import { register as registerDemo } from './cli/demo.ts';
import { register as registerDlq } from './cli/dlq.ts';
import { register as registerExplain } from './cli/explain.ts';
import { register as registerReport } from './cli/report.ts';
import { register as registerRescore } from './cli/rescore.ts';
import { register as registerSandbox } from './cli/sandbox.ts';
import { register as registerSetup } from './cli/setup.ts';
import { register as registerSimulate } from './cli/simulate.ts';
import { register as registerSla } from './cli/sla.ts';
import { register as registerStart } from './cli/start.ts';
import { register as registerSync } from './cli/sync.ts';

/** The `leadloop` command: every verb lives in its own file under src/cli/. */
export function buildProgram(source: NodeJS.ProcessEnv): Command {
  const program = new Command('leadloop').description('closed-loop lead management: HubSpot → score → route → Salesforce, and back').showHelpAfterError().exitOverride();
  for (const register of [
    registerSandbox,
    registerSync,
    registerRescore,
    registerConfig,
    registerSimulate,
    registerExplain,
    registerDemo,
    registerSetup,
    registerStart,
    registerDlq,
    registerSla,
    registerReport,
  ])
    register(program, source);
  return program;
}

/** The environment is read here, once, and handed to the commands. */
export async function main(argv: readonly string[], source: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    await buildProgram(source).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return reportError(error, { stack: source.LOG_LEVEL === 'debug' });
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
