import { describe, expect, it } from 'vitest';
import { runCliAsync } from '../support/cli.ts';

describe('npm run demo', () => {
  it('runs the loop on the sandbox: a gentle first install, the live booth scan with a rep and its "Call now" task, the closed-loop report', async () => {
    const { code, stdout, stderr } = await runCliAsync(['demo', '--exit'], { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
    expect(code, stderr.slice(-2_000)).toBe(0);
    const first = /Sync cycle 1 \(\d+ ms\): pulled 2000, qualified (\d+) \(another (\d+) qualified over 30d before install/.exec(stdout);
    expect(first).not.toBeNull();
    expect(Number(first![1])).toBeGreaterThan(50);
    expect(Number(first![2])).toBeGreaterThan(50);
    // The headline case: the booth scan is owned by a person (not the fallback queue), who gets the call.
    const live =
      /Booth scan \(HubSpot contact \d+\) → Salesforce lead \w+, owned by ([^,]+), in \d+ ms, with these tasks:\n\s+- "Call now: hot lead from Copperleaf Live Demo Day 2026" \(High, for ([^)]+)\)/.exec(
        stdout,
      );
    expect(live, stdout.slice(stdout.indexOf('Live hand-off'), stdout.indexOf('Live hand-off') + 600)).not.toBeNull();
    expect(live![1]).not.toMatch(/queue/);
    expect(live![2]).toBe(live![1]);
    expect(stdout).toContain('Closed-loop report');
  }, 240_000);
});
