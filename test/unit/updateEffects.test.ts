import { describe, expect, it } from 'vitest';
import { UpdateEffects } from '../../src/conversation/updateEffects.js';

/** A service with an effect, a getter and a plain setting, as the dialog services have. */
class Counter {
  made = 0;
  readonly step = 2;
  get available(): boolean {
    return this.made < 100;
  }
  async add(name: string): Promise<string> {
    this.made += this.step;
    return `${name}-${this.made}`;
  }
  take(_x: unknown): number {
    return ++this.made;
  }
}

describe('UpdateEffects: one update handled in several tries', () => {
  it('a call the lost try made is answered from it; the n-th of the same call matches the n-th; new calls are made', async () => {
    const counter = new Counter();
    const services = { counter, words: (k: string) => [k, String(counter.made)] };
    const effects = new UpdateEffects();

    const first = effects.nextTry(services);
    expect([await first.counter.add('a'), await first.counter.add('a'), first.words('x')]).toEqual(['a-2', 'a-4', ['x', '4']]);
    expect(first.counter.available).toBe(true);
    expect(first.counter.step).toBe(2);

    const second = effects.nextTry(services);
    expect(await second.counter.add('a')).toBe('a-2');
    expect(await second.counter.add('a')).toBe('a-4');
    // A third such call, or other arguments: a new effect of this try.
    expect(await second.counter.add('a')).toBe('a-6');
    expect(await second.counter.add('b')).toBe('b-8');
    expect(second.words('x')).toEqual(['x', '4']);
    expect(counter.made).toBe(8);
  });

  it('arguments that cannot be written down are never matched: the call is made each time', () => {
    const counter = new Counter();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    const effects = new UpdateEffects();
    expect(effects.nextTry({ counter }).counter.take(loop)).toBe(1);
    expect(effects.nextTry({ counter }).counter.take(loop)).toBe(2);
    expect(effects.nextTry({ counter }).counter.take('same')).toBe(3);
    expect(effects.nextTry({ counter }).counter.take('same')).toBe(3);
  });

  it('frozen services are handed out as they are (a proxy may not change them), not journaled', async () => {
    const counter = new Counter();
    const effects = new UpdateEffects();
    const services = Object.freeze({ counter, words: (k: string) => [k] });
    expect(effects.nextTry(services).words('x')).toEqual(['x']);
    expect(await effects.nextTry(services).counter.add('a')).toBe('a-2');
    expect(await effects.nextTry(services).counter.add('a')).toBe('a-4');
  });

  it('a separate update has its own journal', async () => {
    const counter = new Counter();
    expect(await new UpdateEffects().nextTry({ counter }).counter.add('a')).toBe('a-2');
    expect(await new UpdateEffects().nextTry({ counter }).counter.add('a')).toBe('a-4');
  });

  it('a service named pure is handed out as it is: not journaled, called again on the next try', () => {
    const counter = new Counter();
    const effects = new UpdateEffects();
    const services = { counter };
    expect(effects.nextTry(services, ['counter']).counter).toBe(counter);
    expect(effects.nextTry(services, ['counter']).counter.take('same')).toBe(1);
    expect(effects.nextTry(services, ['counter']).counter.take('same')).toBe(2);
  });
});
