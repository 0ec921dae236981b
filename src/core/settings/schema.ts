import { z } from 'zod';
import { parseWorkingHours } from '../../domain/workingHours.js';

/** What the unit changes from the console, in effect at once, with .env values as defaults. */
export interface UnitSettings {
  unitName: string;
  unitPhone: string;
  /** "07:30-17:00", Monday to Saturday. */
  workingHours: string;
  /** Days off (ISO dates): the SLA clock does not run on them. */
  holidays: string[];
  slaUnclaimedMinutes: number;
  retentionDays: number;
  reminderHour: number;
}

export const SETTING_KEYS = ['unitName', 'unitPhone', 'workingHours', 'holidays', 'slaUnclaimedMinutes', 'retentionDays', 'reminderHour'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

const err = (field: SettingKey) => `admin:settings.error.${field}`;

/** "5/12/2026" or "2026-12-05" → "2026-12-05"; anything else is kept, to be refused. */
function isoDay(s: string): string {
  const vn = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  return vn ? `${vn[3]}-${vn[2]!.padStart(2, '0')}-${vn[1]!.padStart(2, '0')}` : s;
}

const realDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

const intIn = (field: SettingKey, min: number, max: number) =>
  z.preprocess((v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v), z.number({ error: err(field) }).int(err(field)).min(min, err(field)).max(max, err(field)));

/**
 * One rule per setting; every message is a locale key named after its field, so the page says
 * which one is wrong. The form sends strings; stored values come back as JSON: both parse here.
 */
export const settingsSchema = z.object({
  unitName: z.string({ error: err('unitName') }).trim().min(2, err('unitName')).max(120, err('unitName')),
  unitPhone: z
    .string({ error: err('unitPhone') })
    .trim()
    .regex(/^[\d\s.+()-]{3,30}$/, err('unitPhone'))
    // Ordinary questions must never be sent to an emergency line.
    .refine((v) => !/^(11[345])$/.test(v.replace(/\D/g, '')), 'admin:settings.error.unitPhone_emergency'),
  workingHours: z
    .string({ error: err('workingHours') })
    .trim()
    .refine((v) => {
      try {
        parseWorkingHours(v);
        return true;
      } catch {
        return false;
      }
    }, err('workingHours')),
  holidays: z.preprocess(
    (v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : v),
    z.array(z.string().transform(isoDay).refine(realDay, err('holidays')), { error: err('holidays') }).max(100, err('holidays')),
  ),
  slaUnclaimedMinutes: intIn('slaUnclaimedMinutes', 5, 7 * 24 * 60),
  retentionDays: intIn('retentionDays', 1, 3650),
  reminderHour: intIn('reminderHour', 0, 23),
});

export type SettingsErrors = Partial<Record<SettingKey, string>>;

/** Validates a whole set of settings: all of them, or the first fault of each field named. */
export function checkSettings(input: Record<SettingKey, unknown>): { ok: true; value: UnitSettings } | { ok: false; errors: SettingsErrors } {
  const r = settingsSchema.safeParse(input);
  if (r.success) return { ok: true, value: { ...r.data, holidays: [...new Set(r.data.holidays)].sort() } };
  const errors: SettingsErrors = {};
  for (const i of r.error.issues) {
    const k = i.path[0] as SettingKey;
    errors[k] ??= i.message.startsWith('admin:') ? i.message : err(k);
  }
  return { ok: false, errors };
}
