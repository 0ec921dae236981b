import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stderr (stdout belongs to the console channel). Personal fields are redacted
 * wherever they appear, so a careless `log.info({ request })` still leaks nothing.
 */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      redact: {
        paths: ['phone', 'relativePhone', 'personName', 'address', 'pickupAddress', 'notes', 'text', 'name', '*.phone', '*.relativePhone', '*.personName', '*.address', '*.pickupAddress', '*.notes', '*.text', '*.name'],
        censor: '[masked]',
      },
    },
    pino.destination(2),
  );
}

/** Phone numbers and long ids a message might carry, masked (0912345678 → 09******78). */
export function maskText(s: string): string {
  return s.replace(/\+?\d[\d .-]{6,}\d/g, (m) => `${m.slice(0, 2)}${'*'.repeat(Math.max(0, m.length - 4))}${m.slice(-2)}`);
}

/**
 * An error as a log line with nothing personal in it: its kind, a masked message, its code.
 * Never the update, the request body or an object the error carries (a grammY error carries the
 * whole call, a citizen's text included).
 */
export function logError(log: Logger, e: unknown, what: string, extra: Record<string, unknown> = {}): void {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  log.error({ ...extra, err: { name: err.name, message: maskText(err.message).slice(0, 300), ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}) } }, what);
}
