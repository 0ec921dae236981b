import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Environment parsed and validated once. A bad value stops the start with a message that
 * names the variable, because a half-configured bot that silently drops citizens' requests
 * is worse than one that does not start.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (name: string) =>
  optionalString.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), {
    message: `${name} must be an http(s) URL`,
  });

const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);

/** A bare id (Telegram) or "channel:id". */
const CHANNEL_REF = /^(-?\d+|[a-z][a-z0-9_-]*:\S+)$/;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalString.refine(
    (v) => v === undefined || /^(postgres(ql)?:\/\/|file:|sqlite:)/.test(v) || !v.includes('://'),
    { message: 'DATABASE_URL must be postgres://…, file:/path.sqlite or a file path' },
  ),
  AREAS_FILE: z.string().default('./data/areas.json'),
  /** SQLite: how long a write waits for another process's write to finish before it fails. */
  DB_BUSY_TIMEOUT_MS: positiveInt(5000),
  DEFAULT_LANG: z.enum(['vi', 'en']).default('vi'),
  TELEGRAM_BOT_TOKEN: optionalString.refine((v) => v === undefined || /^\d+:[\w-]{20,}$/.test(v), {
    message: 'TELEGRAM_BOT_TOKEN looks wrong: it is "<digits>:<letters>", as BotFather gives it',
  }),
  TELEGRAM_API_ROOT: url('TELEGRAM_API_ROOT').default('https://api.telegram.org'),
  TELEGRAM_WEBHOOK_URL: url('TELEGRAM_WEBHOOK_URL'),
  TELEGRAM_WEBHOOK_SECRET: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9_-]{8,256}$/.test(v), {
    message: 'TELEGRAM_WEBHOOK_SECRET must be 8-256 characters of A-Z, a-z, 0-9, _ or -',
  }),
  /** The one HTTP server: webhooks, health, metrics, the web console. 0: any free port (tests). */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Where people reach the web console (its links are sent in chats). Unset: http://127.0.0.1:PORT. */
  PUBLIC_URL: url('PUBLIC_URL'),
  /** Login attempts (link pages) per client per minute. */
  WEB_LOGIN_PER_MINUTE: positiveInt(10),
  /** A console session ends after this many idle hours. */
  WEB_IDLE_HOURS: positiveInt(12),
  /** Seconds a getUpdates long poll waits (Telegram and Zalo); short in tests. */
  TELEGRAM_POLL_SECONDS: positiveInt(30),
  ZALO_POLL_SECONDS: positiveInt(30),
  ZALO_BOT_TOKEN: optionalString.refine((v) => v === undefined || /^\S{10,}$/.test(v), { message: 'ZALO_BOT_TOKEN looks wrong: copy it whole from the Zalo Bot Creator' }),
  ZALO_API_ROOT: url('ZALO_API_ROOT').default('https://bot-api.zaloplatforms.com'),
  ZALO_WEBHOOK_URL: url('ZALO_WEBHOOK_URL'),
  ZALO_WEBHOOK_SECRET: optionalString.refine((v) => v === undefined || (v.length >= 8 && v.length <= 256), {
    message: 'ZALO_WEBHOOK_SECRET must be 8-256 characters',
  }),
  /** No rate limit is published for Zalo bots: conservative defaults, 429 backs off. */
  ZALO_GLOBAL_PER_SECOND: positiveInt(10),
  ZALO_CHAT_INTERVAL_MS: z.coerce.number().int().nonnegative().default(1000),
  /** Zalo Official Account (state agencies' account): on when ZALO_OA_APP_ID is set. */
  ZALO_OA_APP_ID: optionalString.refine((v) => v === undefined || /^\d{5,25}$/.test(v), { message: 'ZALO_OA_APP_ID is the app id of developers.zalo.me, digits only' }),
  ZALO_OA_APP_SECRET: optionalString.refine((v) => v === undefined || /^\S{8,}$/.test(v), { message: 'ZALO_OA_APP_SECRET looks wrong: copy the app\'s secret key whole' }),
  /** The OA secret key of the app's webhook settings: it signs every event. */
  ZALO_OA_SECRET_KEY: optionalString.refine((v) => v === undefined || /^\S{8,}$/.test(v), { message: 'ZALO_OA_SECRET_KEY looks wrong: copy the OA secret key (webhook settings) whole' }),
  /** First start only: used once when no token pair is stored yet (else: the consent link). */
  ZALO_OA_REFRESH_TOKEN: optionalString,
  ZALO_OA_ID: optionalString.refine((v) => v === undefined || /^\d{5,25}$/.test(v), { message: 'ZALO_OA_ID is the OA\'s id, digits only' }),
  ZALO_OA_API_ROOT: url('ZALO_OA_API_ROOT').default('https://openapi.zalo.me'),
  ZALO_OA_OAUTH_ROOT: url('ZALO_OA_OAUTH_ROOT').default('https://oauth.zaloapp.com'),
  ZALO_OA_WEBHOOK_URL: url('ZALO_OA_WEBHOOK_URL'),
  /** Where Zalo sends the OA admin back after consent; unset: /zalo-oa/callback on the webhook's host. */
  ZALO_OA_REDIRECT_URL: url('ZALO_OA_REDIRECT_URL'),
  /** The code in Zalo's domain check file name (zalo_verifier<CODE>.html), served at the root. */
  ZALO_OA_SITE_VERIFICATION: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9_-]{4,128}$/.test(v), { message: 'ZALO_OA_SITE_VERIFICATION is the code in zalo_verifier<CODE>.html (letters and digits)' }),
  /** Off only while Zalo changes how it signs events; every event is then taken on trust. */
  ZALO_OA_VERIFY_SIGNATURE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Approved templates for notices outside the 7-day window: message key → template payload (JSON). */
  ZALO_OA_TEMPLATES_FILE: optionalString,
  /** The picture the share-phone form shows; unset: a plain one this server serves. */
  ZALO_OA_INFO_IMAGE_URL: url('ZALO_OA_INFO_IMAGE_URL'),
  /** Unset: the locale's generic name for the unit is shown. */
  UNIT_NAME: optionalString,
  /**
   * Where citizens call the unit for ordinary questions. Required with a platform token; the
   * console without one shows the locale's clearly fake example number.
   */
  UNIT_PHONE: optionalString.refine((v) => v === undefined || /^[\d\s.+()-]{3,30}$/.test(v), {
    message: 'UNIT_PHONE must be a phone number, e.g. 0272 3 123 456',
  }),
  /** Open requests one chat, or one phone number, may have at once. */
  MAX_OPEN_REQUESTS: positiveInt(3),
  RETENTION_DAYS: positiveInt(90),
  /** A request still open this many days after its day is closed as expired (then erased on schedule). */
  EXPIRE_AFTER_DAYS: positiveInt(30),
  TEAMS_FILE: z.string().default('./data/teams.json'),
  /** Unset: a private redis-server is started under DATA_DIR/redis. */
  REDIS_URL: optionalString.refine((v) => v === undefined || /^rediss?:\/\//.test(v), { message: 'REDIS_URL must be redis://host:port' }),
  QUEUE_PREFIX: z.string().regex(/^[\w-]+$/).default('thu7'),
  /**
   * The duty chat: emergencies, questions and the commander's alerts. "zalo:<chat id>",
   * "telegram:<chat id>", or a bare number (a Telegram chat, as before).
   */
  ADMIN_CHAT_ID: optionalString.refine((v) => v === undefined || CHANNEL_REF.test(v), {
    message: 'ADMIN_CHAT_ID must be a chat id: -1001234567890 (Telegram), or channel:id such as zalo:8412345',
  }),
  /** Commanders on an empty database (they add the others): channel:user id, a bare number is Telegram. */
  ADMIN_USER_IDS: z
    .string()
    .default('')
    .refine((v) => v.trim() === '' || v.split(',').every((x) => CHANNEL_REF.test(x.trim())), {
      message: 'ADMIN_USER_IDS must be user ids separated by commas: 12345 (Telegram) or channel:id such as zalo:8412345',
    })
    .transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean)),
  SLA_UNCLAIMED_MINUTES: z.coerce.number().positive().default(120),
  WORKING_HOURS: z.string().regex(/^\d{1,2}:\d{2}-\d{1,2}:\d{2}$/, 'WORKING_HOURS looks like 07:30-17:00').default('07:30-17:00'),
  MAX_CONTACT_ATTEMPTS: positiveInt(3),
  TELEGRAM_GLOBAL_PER_SECOND: positiveInt(30),
  TELEGRAM_GROUP_PER_MINUTE: positiveInt(20),
  TELEGRAM_CHAT_INTERVAL_MS: z.coerce.number().int().nonnegative().default(1000),
  ASSIGN_CONCURRENCY: positiveInt(32),
  OUTBOUND_CONCURRENCY: positiveInt(16),
  /** Announcement batches sent at once per process; the shared pacer keeps the platform rate. */
  BROADCAST_CONCURRENCY: positiveInt(8),
  /** Local hour (Asia/Ho_Chi_Minh) the evening-before reminder goes out. */
  REMINDER_HOUR: z.coerce.number().int().min(0).max(23).default(18),
  RECONCILE_SECONDS: z.coerce.number().positive().default(10),
  /** How long a worker's claim on a job lasts: a worker that died frees its jobs after this. */
  JOB_LOCK_MS: positiveInt(30_000),
  /** Across replicas: how long a chat's lock lasts (and is waited for) if its holder stalls or dies. */
  CHAT_LOCK_TIMEOUT_MS: positiveInt(10_000),
  /** Messages one chat may send a minute: past it one kind "please slow down", the rest dropped. */
  CHAT_MESSAGES_PER_MINUTE: positiveInt(20),
  /** Code commands (/dangky, /lienket, /dangnhap) one chat may send, and tries of one code, per window. */
  CODE_TRIES_PER_CHAT: positiveInt(5),
  CODE_TRIES_PER_CODE: positiveInt(5),
  CODE_WINDOW_MINUTES: positiveInt(15),
  /** Polling: one process per bot token polls; a standby takes over this long after it dies (at most 1¼×). */
  POLL_LEASE_MS: positiveInt(20_000),
  /** On SIGTERM: how long in-flight updates and jobs may take before the process closes anyway. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(8000),
});

export type Config = z.infer<typeof schema> & {
  databaseUrl: string;
  dialect: 'sqlite' | 'postgres';
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.TELEGRAM_WEBHOOK_URL && !c.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set, so forged updates are refused',
    );
  }
  if (c.ZALO_WEBHOOK_URL && !c.ZALO_WEBHOOK_SECRET) {
    throw new ConfigError('Invalid configuration:\n  ZALO_WEBHOOK_SECRET: required when ZALO_WEBHOOK_URL is set, so forged calls are refused');
  }
  if (c.ZALO_OA_APP_ID) {
    // Without the OA secret key no event can be checked: needed unless checking is off.
    const needed = ['ZALO_OA_APP_SECRET', 'ZALO_OA_WEBHOOK_URL', 'ZALO_OA_SECRET_KEY'] as const;
    const missing = needed.filter((k) => !c[k] && (k !== 'ZALO_OA_SECRET_KEY' || c.ZALO_OA_VERIFY_SIGNATURE));
    if (missing.length > 0) {
      throw new ConfigError(`Invalid configuration:\n${missing.map((k) => `  ${k}: required when ZALO_OA_APP_ID is set (the Zalo Official Account)`).join('\n')}`);
    }
  }
  if ((c.TELEGRAM_BOT_TOKEN || c.ZALO_BOT_TOKEN || c.ZALO_OA_APP_ID) && !c.ADMIN_CHAT_ID) {
    // Without it an emergency report would reach nobody while the citizen is told it did.
    throw new ConfigError(
      'Invalid configuration:\n  ADMIN_CHAT_ID: required when a platform token is set: the duty chat where emergencies and questions go (e.g. -1001234567890, or zalo:8412345)',
    );
  }
  if ((c.TELEGRAM_BOT_TOKEN || c.ZALO_BOT_TOKEN || c.ZALO_OA_APP_ID) && !c.UNIT_PHONE) {
    // Every "call us" line shows it; an invented default would send real people to a wrong number.
    throw new ConfigError(
      "Invalid configuration:\n  UNIT_PHONE: required when a platform token is set: the commune police's phone for citizens' questions (e.g. 0272 3 123 456)",
    );
  }
  if (c.UNIT_PHONE && /^(11[345])$/.test(c.UNIT_PHONE.replace(/\D/g, ''))) {
    // Ordinary questions ("Hỏi thêm: gọi …") must not be sent to an emergency line.
    throw new ConfigError('Invalid configuration:\n  UNIT_PHONE: 113, 114 and 115 are emergency lines: give the unit\'s own number for ordinary questions');
  }
  const databaseUrl = c.DATABASE_URL ?? path.join(c.DATA_DIR, 'bot.sqlite');
  const dialect = /^postgres(ql)?:\/\//.test(databaseUrl) ? 'postgres' : 'sqlite';
  return { ...c, databaseUrl, dialect };
}

/** Loads `.env` if present (optional), without overriding what the environment already says. */
export async function loadDotEnv(file = '.env'): Promise<void> {
  if (!existsSync(file)) return;
  const dotenv = await import('dotenv');
  dotenv.config({ path: file, quiet: true });
}
