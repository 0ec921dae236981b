/**
 * Collects calls made close together and serves them with one round trip. Each call resolves
 * only once its own batch is done (and rejects if that batch fails), so a caller that awaits it
 * knows its item is stored, or has its answer, exactly as with a call of its own.
 *
 * Two ways to collect:
 * - `windowMs > 0`: everything added within the window goes together (few large batches, for
 *   writes that wake others up, like delayed jobs).
 * - `windowMs = 0`, group commit: a batch starts as soon as the current turn of the event loop
 *   is done, unless `maxInFlight` batches are already running; what arrives meanwhile waits
 *   for the next one. Alone it costs no wait; under load the batches grow by themselves.
 */
/** The most items a database batch takes: each size is a prepared statement of its own (see preparedBySize). */
export const BATCH_MAX = 32;

export class Batch<T, R> {
  private pending: { item: T; done: (e: unknown, r?: R) => void }[] = [];
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;

  constructor(
    /** Serves a batch: one result per item, in the items' order. */
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly o: { windowMs: number; maxItems: number; maxInFlight?: number },
  ) {}

  call(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, done: (e, r) => (e === undefined ? resolve(r as R) : reject(e)) });
      if (this.pending.length >= this.o.maxItems && this.inFlight < (this.o.maxInFlight ?? Infinity)) this.flush();
      else this.schedule();
    });
  }

  private schedule(): void {
    if (this.o.windowMs > 0) {
      this.timer ??= setTimeout(() => this.flush(), this.o.windowMs);
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        if (this.inFlight < (this.o.maxInFlight ?? Infinity)) this.flush();
      });
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, this.o.maxItems);
    if (batch.length === 0) return;
    this.inFlight++;
    this.run(batch.map((p) => p.item))
      .then(
        (results) => batch.forEach((p, i) => p.done(undefined, results[i])),
        (e: unknown) => batch.forEach((p) => p.done(e ?? new Error('batch failed'))),
      )
      .finally(() => {
        this.inFlight--;
        if (this.pending.length > 0) this.schedule();
      });
  }
}

/** Writes in batches (see Batch): `add` resolves once its item is stored. */
export class Batcher<T> {
  private readonly batch: Batch<T, void>;

  constructor(write: (items: T[]) => Promise<void>, windowMs: number, maxItems: number, maxInFlight?: number) {
    this.batch = new Batch<T, void>(async (items) => {
      await write(items);
      return [];
    }, { windowMs, maxItems, maxInFlight });
  }

  add(item: T): Promise<void> {
    return this.batch.call(item);
  }
}

/**
 * Reads by key in batches (see Batch, group commit): the reads of one moment share a query.
 * A read never answers from older data than a read of its own would: its query starts after
 * the call.
 */
export class BatchedReader<K, V> {
  private readonly batch: Batch<K, V | undefined>;

  constructor(readMany: (keys: K[]) => Promise<Map<K, V>>, o: { maxItems?: number; maxInFlight?: number } = {}) {
    this.batch = new Batch(async (keys) => {
      const found = await readMany([...new Set(keys)]);
      return keys.map((k) => found.get(k));
    }, { windowMs: 0, maxItems: o.maxItems ?? BATCH_MAX, maxInFlight: o.maxInFlight ?? 2 });
  }

  read(key: K): Promise<V | undefined> {
    return this.batch.call(key);
  }
}
