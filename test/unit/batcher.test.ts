import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/jobs/batcher.js';

describe('Batcher', () => {
  it('writes what was added within the window in one call, and each add resolves after its write', async () => {
    const writes: number[][] = [];
    let written = false;
    const b = new Batcher<number>(async (items) => {
      await new Promise((r) => setTimeout(r, 5));
      writes.push(items);
      written = true;
    }, 20, 100);
    const adds = [b.add(1), b.add(2), b.add(3)];
    await adds[0];
    expect(written).toBe(true);
    await Promise.all(adds);
    expect(writes).toEqual([[1, 2, 3]]);
    await b.add(4);
    expect(writes).toEqual([[1, 2, 3], [4]]);
  });

  it('a full batch is written at once, without waiting for the window', async () => {
    const writes: number[][] = [];
    const b = new Batcher<number>(async (items) => void writes.push(items), 60_000, 2);
    await Promise.all([b.add(1), b.add(2)]);
    expect(writes).toEqual([[1, 2]]);
  });

  it("a failed write rejects every add of that batch and leaves the next batch alone", async () => {
    let fail = true;
    const b = new Batcher<string>(async () => {
      if (fail) throw new Error('redis down');
    }, 10, 100);
    const results = await Promise.allSettled([b.add('a'), b.add('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(b.add('c')).resolves.toBeUndefined();
  });
});
