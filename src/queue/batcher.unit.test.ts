import { describe, expect, it } from 'vitest';
import { DebounceBatcher } from './batcher.ts';

describe('DebounceBatcher', () => {
  it('runs keys added within the wait as one batch and gives each caller its own result', async () => {
    const batches: string[][] = [];
    const batcher = new DebounceBatcher<string, string>({
      maxWaitMs: 20,
      run: async (keys) => {
        batches.push(keys);
        return new Map(keys.map((k) => [k, k.toUpperCase()]));
      },
    });
    const results = await Promise.all(['a', 'b', 'a', 'c'].map((k) => batcher.add(k)));
    expect(results).toEqual(['A', 'B', 'A', 'C']);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('starts a batch as soon as it is full', async () => {
    const batches: number[][] = [];
    const batcher = new DebounceBatcher<number, number>({
      maxWaitMs: 60_000,
      maxSize: 3,
      run: async (keys) => {
        batches.push(keys);
        return new Map(keys.map((k) => [k, k]));
      },
    });
    await Promise.all([1, 2, 3].map((k) => batcher.add(k)));
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('rejects every caller of a failed batch, and the next batch runs afresh', async () => {
    let fail = true;
    const batcher = new DebounceBatcher<string, number>({
      maxWaitMs: 5,
      run: async (keys) => {
        if (fail) throw new Error('HubSpot 503');
        return new Map(keys.map((k) => [k, 1]));
      },
    });
    const outcomes = await Promise.allSettled([batcher.add('x'), batcher.add('y')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(batcher.add('x')).resolves.toBe(1);
  });

  it('rejects a caller whose key the batch left out, instead of leaving it waiting', async () => {
    const batcher = new DebounceBatcher<string, number>({ maxWaitMs: 5, run: async () => new Map() });
    await expect(batcher.add('lost')).rejects.toThrow(/no result for lost/);
  });

  it('drain runs what is gathered and waits for it', async () => {
    let ran = 0;
    const batcher = new DebounceBatcher<string, number>({
      maxWaitMs: 60_000,
      run: async (keys) => {
        await new Promise((r) => setTimeout(r, 20));
        ran += keys.length;
        return new Map(keys.map((k) => [k, 1]));
      },
    });
    const pending = batcher.add('q');
    await batcher.drain();
    expect(ran).toBe(1);
    await expect(pending).resolves.toBe(1);
  });
});
