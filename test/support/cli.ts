import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

/** Runs `leadloop ...` the way a user does (Node 24 from node_modules/.bin), with only the env given. */
export function runCli(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const bin = join(ROOT, 'node_modules/.bin');
  const result = spawnSync(join(bin, 'node'), [join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking the test process (needed when the test also serves the sandbox). */
export function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = join(ROOT, 'node_modules/.bin');
  return new Promise((resolve, reject) => {
    const child = spawn(join(bin, 'node'), [join(ROOT, 'src/cli.ts'), ...args], { cwd: ROOT, env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
