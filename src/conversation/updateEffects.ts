/**
 * What the handling of one update asked of the services, kept across the tries of handling it
 * (see DialogEngine.handleNow). A try after a lost state save that makes a call the lost try
 * made — the same service, method and arguments, the n-th such call of its try — gets that
 * call's result back instead of making it again: a question is not posted twice, a one-time code
 * is not spent twice (and the person is not told it is wrong), a broadcast is not sent twice.
 * Reads come back as they were a moment ago, which is what the lost try answered from too.
 * Calls the lost try made and the new one does not are not undone (they cannot be).
 *
 * It lives in this process only: an update handled again after a crash, or by another replica,
 * is covered where it matters by the effect itself being keyed by the update in the database
 * (handoffs and emergency repeats by their `source`, a filed request by the draft's id).
 */
export class UpdateEffects {
  private readonly results = new Map<string, unknown>();
  private calls = new Map<string, number>();

  /**
   * The services as the next try sees them: every call journaled, counted from the first again.
   * `pure`: services that only compute or read (the classifier, the guide): doing them again
   * does no harm, and journaling them was a third of a message's cost.
   */
  nextTry<T extends object>(services: T, pure: readonly (keyof T)[] = []): T {
    this.calls = new Map();
    const wrapped = new Map<PropertyKey, unknown>();
    return new Proxy(services, {
      get: (target, prop) => {
        if (wrapped.has(prop)) return wrapped.get(prop);
        const value: unknown = Reflect.get(target, prop, target);
        if (fixed(target, prop) || (pure as readonly PropertyKey[]).includes(prop)) return value;
        const out = typeof value === 'function' ? this.journaled(String(prop), value as Call, target) : value !== null && typeof value === 'object' ? this.service(String(prop), value) : value;
        wrapped.set(prop, out);
        return out;
      },
    });
  }

  /** One service: its methods journaled; its other members (getters, settings) as they are. */
  private service(name: string, service: object): object {
    return new Proxy(service, {
      get: (target, prop) => {
        const value: unknown = Reflect.get(target, prop, target);
        if (fixed(target, prop)) return value;
        return typeof value === 'function' ? this.journaled(`${name}.${String(prop)}`, value as Call, target) : value;
      },
    });
  }

  private journaled(name: string, fn: Call, self: object): Call {
    return (...args: unknown[]) => {
      const call = callId(name, args);
      // Arguments that cannot be written down cannot be recognised again: such a call is just made.
      if (call === undefined) return fn.apply(self, args);
      const nth = this.calls.get(call) ?? 0;
      this.calls.set(call, nth + 1);
      const key = `${call}#${nth}`;
      if (this.results.has(key)) return this.results.get(key);
      const result = fn.apply(self, args);
      this.results.set(key, result);
      return result;
    };
  }
}

type Call = (...args: unknown[]) => unknown;

/** A frozen member: a proxy must hand it out as it is (a JavaScript rule), so it is not journaled. */
function fixed(target: object, prop: PropertyKey): boolean {
  const d = Object.getOwnPropertyDescriptor(target, prop);
  return d !== undefined && d.configurable === false && d.writable === false;
}

function callId(name: string, args: unknown[]): string | undefined {
  try {
    return `${name}(${JSON.stringify(args)})`;
  } catch {
    return undefined;
  }
}
