/**
 * Collects items added within a short window and writes them in one call. Each `add` resolves
 * only once its own batch is written (and rejects if that write fails), so a caller that awaits
 * it knows its item is stored, exactly as with a write of its own.
 */
export class Batcher<T> {
  private pending: { item: T; done: (e?: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly windowMs: number,
    private readonly maxItems: number,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, done: (e) => (e === undefined ? resolve() : reject(e)) });
      if (this.pending.length >= this.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.write(batch.map((p) => p.item)).then(
      () => batch.forEach((p) => p.done()),
      (e: unknown) => batch.forEach((p) => p.done(e ?? new Error('batch write failed'))),
    );
  }
}
