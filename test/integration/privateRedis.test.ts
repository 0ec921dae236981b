import { describe, expect, it } from 'vitest';
import { startPrivateRedis } from '../../src/main/privateRedis.js';
import { tempDir } from '../helpers/db.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('private redis-server', () => {
  it('a second start on the same data directory adopts the running server instead of starting another', async () => {
    const dir = tempDir('thu7-redis-');
    const first = await startPrivateRedis(dir, { persist: false });
    // As if the bot had been killed without stopping it: start again.
    const second = await startPrivateRedis(dir, { persist: false });
    expect(second.pid).toBe(first.pid);
    expect(second.url).toBe(first.url);
    await second.stop();
    expect(alive(first.pid)).toBe(false);
    const third = await startPrivateRedis(dir, { persist: false });
    expect(third.pid).not.toBe(first.pid);
    await third.stop();
    expect(alive(third.pid)).toBe(false);
  });
});
