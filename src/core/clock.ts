/** Time is a parameter so tests can control it (reminders, SLAs, retention). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
