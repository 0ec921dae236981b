import { parseWorkingHours, type WorkingHours } from '../../domain/workingHours.js';
import type { AuditLog, Clock } from '../ports.js';
import { checkSettings, SETTING_KEYS, type SettingKey, type SettingsErrors, type UnitSettings } from './schema.js';

export interface StoredSetting {
  key: string;
  value: string;
  updatedBy: string;
  updatedAt: number;
}

export interface SettingsStore {
  all(): Promise<StoredSetting[]>;
  /** All of them in one statement: a save is whole or not at all. */
  put(rows: { key: string; value: string }[], by: string, now: number): Promise<void>;
}

/** How long a process trusts what it read: another process's change shows within this. */
const FRESH_MS = 3000;

export type SaveResult = { ok: true; changed: SettingKey[] } | { ok: false; errors: SettingsErrors };

/**
 * The unit's settings: the database's values over the .env defaults. Readers call `current()`
 * (synchronous, on every message); it answers from memory and, when that is older than a few
 * seconds, reads the database again in the background, so a change made in one process is in
 * effect in the others without a restart.
 */
export class SettingsService {
  private values: UnitSettings;
  private stored = new Map<string, StoredSetting>();
  private readAt = 0;
  private reading: Promise<void> | undefined;
  private hours: { spec: string; holidays: string[]; wh: WorkingHours } | undefined;
  private readonly watchers = new Map<string, { seen: number; changed: () => Promise<unknown> }>();

  constructor(
    private readonly store: SettingsStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    readonly defaults: UnitSettings,
  ) {
    this.values = defaults;
  }

  /** Reads the database now (at start, and after a save). A bad stored value falls back to its default. */
  async load(): Promise<void> {
    const rows = await this.store.all();
    this.stored = new Map(rows.map((r) => [r.key, r]));
    for (const [key, w] of this.watchers) {
      const at = this.stored.get(key)?.updatedAt ?? 0;
      if (at !== w.seen) {
        w.seen = at;
        await w.changed();
      }
    }
    const merged: Record<string, unknown> = { ...this.defaults };
    for (const r of rows) {
      if (!(SETTING_KEYS as readonly string[]).includes(r.key)) continue;
      try {
        merged[r.key] = JSON.parse(r.value);
      } catch {
        // kept at its default
      }
    }
    const checked = checkSettings(merged as Record<SettingKey, unknown>);
    if (checked.ok) this.values = checked.value;
    else {
      for (const k of Object.keys(checked.errors)) merged[k] = this.defaults[k as SettingKey];
      this.values = merged as unknown as UnitSettings;
    }
    this.readAt = Date.now();
  }

  current(): UnitSettings {
    if (Date.now() - this.readAt > FRESH_MS && !this.reading) {
      this.reading = this.load()
        .catch(() => undefined)
        .finally(() => (this.reading = undefined));
    }
    return this.values;
  }

  /** Who saved a setting and when, if it is not the .env default. */
  savedBy(key: SettingKey): { by: string; at: number } | undefined {
    const s = this.stored.get(key);
    return s ? { by: s.updatedBy, at: s.updatedAt } : undefined;
  }

  /** The working hours with the holidays, parsed once per change. */
  workingHours(): WorkingHours {
    const { workingHours: spec, holidays } = this.current();
    if (!this.hours || this.hours.spec !== spec || this.hours.holidays !== holidays) this.hours = { spec, holidays, wh: { ...parseWorkingHours(spec), holidays } };
    return this.hours.wh;
  }

  /** The unit as messages name it: read at each use, so a change shows in the next reply. */
  readonly unit = ((s: SettingsService) => ({
    get name() {
      return s.current().unitName;
    },
    get phone() {
      return s.current().unitPhone;
    },
    get retentionDays() {
      return s.current().retentionDays;
    },
  }))(this);

  /** The SLA policy, read at each use. */
  readonly policy = ((s: SettingsService) => ({
    get slaUnclaimedMs() {
      return s.current().slaUnclaimedMinutes * 60_000;
    },
    get workingHours() {
      return s.workingHours();
    },
  }))(this);

  /**
   * Data other than settings that processes keep in memory (the areas the bot matches names
   * against): `bump` after changing it, and every process that `watch`es the key reloads it the
   * next time it reads the settings.
   */
  watch(key: string, changed: () => Promise<unknown>): void {
    this.watchers.set(key, { seen: this.stored.get(key)?.updatedAt ?? 0, changed });
  }

  async bump(key: string, by: string): Promise<void> {
    const now = Math.max(this.clock.now(), (this.stored.get(key)?.updatedAt ?? 0) + 1);
    await this.store.put([{ key, value: JSON.stringify(now) }], by, now);
    const w = this.watchers.get(key);
    if (w) w.seen = now;
  }

  /** Validates the whole form; saves only what changed, all at once, and audits each change. */
  async save(input: Record<SettingKey, unknown>, by: string): Promise<SaveResult> {
    const checked = checkSettings(input);
    if (!checked.ok) return checked;
    await this.load();
    const changed = SETTING_KEYS.filter((k) => JSON.stringify(checked.value[k]) !== JSON.stringify(this.values[k]));
    if (changed.length === 0) return { ok: true, changed };
    const now = this.clock.now();
    await this.store.put(
      changed.map((k) => ({ key: k, value: JSON.stringify(checked.value[k]) })),
      by,
      now,
    );
    for (const k of changed) await this.audit.record(by, 'setting_changed', k, now);
    await this.load();
    return { ok: true, changed };
  }
}
