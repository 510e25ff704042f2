import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort, redisAnswers } from './demo-redis.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('redisAnswers', () => {
  it('says no, quietly, where no Redis listens (ioredis prints nothing as unhandled)', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await redisAnswers(`redis://127.0.0.1:${await freePort()}`)).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(printed).not.toHaveBeenCalled();
  });

  it('says yes where one does', async () => {
    expect(await redisAnswers(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')).toBe(true);
  });
});
