import { describe, expect, it } from 'vitest';
import { Batch, Batcher, BatchedReader } from '../../src/db/batch.js';

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

describe('group commit (window 0)', () => {
  it('a call alone goes at once; calls made while a batch runs go together in the next', async () => {
    const runs: number[][] = [];
    let release!: () => void;
    const b = new Batch<number, number>(async (items) => {
      runs.push(items);
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
      return items.map((i) => i * 10);
    }, { windowMs: 0, maxItems: 100, maxInFlight: 1 });
    const first = b.call(1);
    await new Promise((r) => setImmediate(r));
    expect(runs).toEqual([[1]]);
    const later = [b.call(2), b.call(3), b.call(4)];
    await new Promise((r) => setImmediate(r));
    // The first batch still runs: the others wait for it, not each for a query of its own.
    expect(runs).toEqual([[1]]);
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it('a batch is at most maxItems; the rest follow', async () => {
    const runs: number[][] = [];
    const b = new Batch<number, number>(async (items) => (runs.push(items), items), { windowMs: 0, maxItems: 2, maxInFlight: 1 });
    expect(await Promise.all([1, 2, 3, 4, 5].map((i) => b.call(i)))).toEqual([1, 2, 3, 4, 5]);
    expect(runs.map((r) => r.length)).toEqual([2, 2, 1]);
  });
});

describe('BatchedReader', () => {
  it('reads of one moment share a query; a key asked twice is read once; a missing key is undefined', async () => {
    const queries: string[][] = [];
    const r = new BatchedReader<string, string>(async (keys) => {
      queries.push(keys);
      return new Map(keys.filter((k) => k !== 'gone').map((k) => [k, k.toUpperCase()]));
    });
    expect(await Promise.all([r.read('a'), r.read('b'), r.read('a'), r.read('gone')])).toEqual(['A', 'B', 'A', undefined]);
    expect(queries).toEqual([['a', 'b', 'gone']]);
  });

  it('a failed query rejects its reads only', async () => {
    let fail = true;
    const r = new BatchedReader<string, string>(async (keys) => {
      if (fail) throw new Error('database down');
      return new Map(keys.map((k) => [k, k]));
    });
    expect((await Promise.allSettled([r.read('a'), r.read('b')])).map((x) => x.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await r.read('c')).toBe('c');
  });
});
