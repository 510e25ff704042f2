import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { LeaseHeld, LeaseLost } from '../errors/index.ts';
import { Lease, whileHolding } from './lease.ts';
import { RedisKeys } from '../redis-keys.ts';
import { deleteKeysWithPrefix, testConnection, uniqueTestPrefix } from '../../test/support/redis.ts';

const prefix = uniqueTestPrefix('lease');
const first = testConnection();
const second = testConnection();

afterAll(async () => {
  await deleteKeysWithPrefix(first, prefix);
  first.disconnect();
  second.disconnect();
});

function waitForAbort(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

describe('Lease (real Redis)', () => {
  it('is exclusive: of many concurrent takers on two connections exactly one gets it', async () => {
    const attempts = await Promise.all(Array.from({ length: 20 }, (_, i) => Lease.tryAcquire(i % 2 ? first : second, prefix, 'exclusive', { ttlMs: 5_000 })));
    const holders = attempts.filter((l): l is Lease => l !== null);
    expect(holders).toHaveLength(1);
    await expect(Lease.acquire(first, prefix, 'exclusive')).rejects.toBeInstanceOf(LeaseHeld);
    expect(await holders[0]!.release()).toBe(true);
    const next = await Lease.acquire(second, prefix, 'exclusive', { ttlMs: 5_000 });
    await next.release();
  });

  it('expires when the holder stops renewing, and the old holder learns it lost the lease', async () => {
    const stale = await Lease.acquire(first, prefix, 'expiry', { ttlMs: 200, renewEveryMs: 60_000 });
    await expect.poll(async () => first.exists(new RedisKeys(prefix).lease('expiry')), { timeout: 5_000 }).toBe(0);
    const taker = await Lease.acquire(second, prefix, 'expiry', { ttlMs: 5_000 });
    // The old holder can neither extend nor delete the new holder's lease.
    expect(await stale.renew()).toBe(false);
    expect(stale.signal.aborted).toBe(true);
    expect(stale.signal.reason).toBeInstanceOf(LeaseLost);
    expect(await stale.release()).toBe(false);
    expect(await second.get(new RedisKeys(prefix).lease('expiry'))).toBe(taker.token);
    await taker.release();
  });

  it('renews itself while held, so it outlives its TTL', async () => {
    const lease = await Lease.acquire(first, prefix, 'renewing', { ttlMs: 600, renewEveryMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(lease.signal.aborted).toBe(false);
    expect(await Lease.tryAcquire(second, prefix, 'renewing')).toBeNull();
    expect(await lease.release()).toBe(true);
  });

  it('aborts the holder when the lease is taken away (background renewal notices)', async () => {
    const lease = await Lease.acquire(first, prefix, 'stolen', { ttlMs: 5_000, renewEveryMs: 50 });
    await second.set(new RedisKeys(prefix).lease('stolen'), 'someone-else');
    const reason = await waitForAbort(lease.signal);
    expect(reason).toBeInstanceOf(LeaseLost);
  });

  it('whileHolding runs the work under the lease and gives it back; another run meanwhile is told who holds it and until when', async () => {
    let inner: unknown;
    const outcome = await whileHolding(first, prefix, 'while', async () => {
      inner = await whileHolding(second, prefix, 'while', async () => 'never');
      return 42;
    });
    expect(outcome).toEqual({ held: true, value: 42 });
    expect(inner).toEqual({ held: false, heldBy: `${hostname()}:${process.pid}`, heldUntil: expect.any(Number) });
    expect(await first.get(new RedisKeys(prefix).lease('while'))).toBeNull();
  });

  it('on shutdown the work is told to stop first, and the lease is given back only once it has stopped', async () => {
    const controller = new AbortController();
    let stop!: () => void;
    let workSignal: AbortSignal | undefined;
    const running = whileHolding(
      first,
      prefix,
      'while-abort',
      (signal) => {
        workSignal = signal;
        return new Promise<void>((r) => (stop = r));
      },
      { signal: controller.signal },
    );
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    expect(workSignal?.aborted).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    // Still writing its last batch: no second run may start yet.
    expect(await first.get(new RedisKeys(prefix).lease('while-abort'))).not.toBeNull();
    stop();
    await running;
    expect(await first.get(new RedisKeys(prefix).lease('while-abort'))).toBeNull();
  });

  it('hands the work a signal that aborts when the lease is lost', async () => {
    let lost: unknown;
    await whileHolding(
      first,
      prefix,
      'while-lost',
      async (signal) => {
        await second.set(new RedisKeys(prefix).lease('while-lost'), 'someone-else');
        lost = await waitForAbort(signal);
      },
      { ttlMs: 300 },
    );
    expect(lost).toBeInstanceOf(LeaseLost);
  });
});
