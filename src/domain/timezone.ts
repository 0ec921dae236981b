/**
 * Where a relative far away is, and what time it is there: the country (ISO 3166 code) named in
 * the reader's language and its time zones, from the runtime's own data (Intl, no list kept
 * here). Vietnam has one zone and no summer time, so a time in Vietnam is a fixed offset.
 */
export const VN_ZONE = 'Asia/Ho_Chi_Minh';
export const VN_COUNTRY = 'VN';
const VN_OFFSET_MS = 7 * 3600_000;

/** The IANA zones of a country (Korea: one; the United States: many); none for an unknown code. */
export function zonesOf(country: string): string[] {
  try {
    // Node 20 has the getter; newer runtimes name it getTimeZones().
    const locale = new Intl.Locale(`und-${country.toUpperCase()}`) as Intl.Locale & { timeZones?: string[]; getTimeZones?: () => string[] };
    return locale.getTimeZones?.() ?? locale.timeZones ?? [];
  } catch {
    return [];
  }
}

/** "KR" → "Hàn Quốc" (in Vietnamese unless told otherwise). */
export function countryName(country: string, lang = 'vi'): string {
  try {
    return new Intl.DisplayNames([lang], { type: 'region' }).of(country.toUpperCase()) ?? country;
  } catch {
    return country;
  }
}

export interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM, 24 hours */
  time: string;
  /** Minutes since local midnight. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock in a zone at an instant. */
export function localTime(ms: number, zone: string): LocalTime {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const hour = Number(p.hour) % 24;
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${String(hour).padStart(2, '0')}:${p.minute}`, minutes: hour * 60 + Number(p.minute) };
}

/** A day and time of day in Vietnam ("2026-12-05", "09:00") as an instant. */
export function vnInstant(date: string, hhmm: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [h, min] = hhmm.split(':').map(Number) as [number, number];
  return Date.UTC(y, m - 1, d, h, min) - VN_OFFSET_MS;
}

/** Whether a zone name is one the runtime knows. */
export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone of a country with several: the one whose clock shows `hour` now (the person said what
 * time it is where they are). Undefined when none does.
 */
export function zoneByLocalHour(country: string, hour: number, nowMs: number): string | undefined {
  return zonesOf(country).find((z) => Math.floor(localTime(nowMs, z).minutes / 60) === hour);
}
