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
        paths: ['phone', 'personName', 'address', 'pickupAddress', 'notes', 'text', 'name', '*.phone', '*.personName', '*.address', '*.pickupAddress', '*.notes', '*.text', '*.name'],
        censor: '[masked]',
      },
    },
    pino.destination(2),
  );
}
