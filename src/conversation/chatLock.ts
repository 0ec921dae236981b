/** Runs work for one chat at a time; what a lock across processes provides too. */
export interface ChatMutex {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/**
 * Runs work for one chat strictly in arrival order while different chats run concurrently,
 * within this process. A second message from the same chat waits for the first to be fully
 * handled and saved. Across processes the engine adds a Redis lock inside this one.
 */
export class ChatLock implements ChatMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.tails.size;
  }
}
