import { formatVnDate } from '../../domain/dates.js';
import { list, msg, msgOr, type Msg } from '../../domain/message.js';
import { UNKNOWN_BIRTH_YEAR } from '../../domain/person.js';
import { describePhone } from '../../domain/phone.js';
import { countryName, VN_COUNTRY } from '../../domain/timezone.js';
import type { CitizenRequest, RequestFields } from '../../domain/request.js';

/**
 * What the intake has gathered so far; the request id is drawn before the summary is shown.
 * `waitlisted`: the chosen session was full; filed with it, the request waits for a place.
 */
export type Draft = Partial<RequestFields> & { requestId?: string; waitlisted?: boolean; far?: boolean };

/** How a field line names things it only holds the id of. */
export interface FieldView {
  communeName(id: string): string;
}

type Key = keyof RequestFields;

export interface Field {
  key: Key;
  /** Erased with the person's data and by retention (the anonymous rest stays for the reports). */
  personal: boolean;
  /** Asked of this draft (ride-only fields are not asked for a home visit). */
  applies(d: Draft): boolean;
  /** May stay empty once asked (the notes). */
  optional?: boolean;
  /** The stored form (JSON for lists; null for absent), and back. */
  toColumn(v: unknown): unknown;
  fromColumn(v: unknown): unknown;
  /** The line in the summary the citizen confirms. */
  summary?(d: Draft, v: FieldView): Msg | undefined;
  /** The line on the team's card (which also shows the code, the status and the buttons). */
  card?(r: CitizenRequest, v: FieldView): Msg | undefined;
  /** Editable from the summary: the intake step that asks it and the label of the edit choice. */
  edit?: { step: string; label: string };
}

const always = () => true;
const isRide = (d: Draft) => d.type === 'ride';
/** Filed by a relative far away: two contacts (the home's number first, then theirs). */
export const isFar = (d: Draft) => d.far === true || d.relativeCountry !== undefined;
const plain = { toColumn: (v: unknown) => v ?? null, fromColumn: (v: unknown) => (v === null ? undefined : v) } as const;
const number = { toColumn: (v: unknown) => v ?? null, fromColumn: (v: unknown) => (v === null || v === undefined ? undefined : Number(v)) } as const;
const json = { toColumn: (v: unknown) => JSON.stringify(v ?? []), fromColumn: (v: unknown) => JSON.parse(String(v)) as unknown } as const;
const line = (key: string, value: string | number | Msg, extra: Record<string, string | number | Msg> = {}) => msg(key, { value, ...extra });

function field(f: Field): Field {
  return f;
}

/**
 * ONE table of the request's fields: the draft's checks, the summary, the card, the stored row
 * and erasure all read it. A new field is a row here, a column in the schema and a migration.
 * The order is the order the summary and the card show them in.
 */
export const FIELDS = [
  field({ key: 'type', personal: false, applies: always, ...plain, summary: (d) => line('intake:summary.type', msg(`intake:type.${d.type}`)) }),
  field({
    key: 'personName',
    personal: true,
    applies: always,
    ...plain,
    summary: (d) => line('intake:summary.name', d.personName ?? ''),
    card: (r) => msg('team:card.person', { name: r.personName, year: r.birthYear === UNKNOWN_BIRTH_YEAR ? msg('intake:birth_year.unknown_card') : r.birthYear, condition: msg(`intake:condition.${r.condition}`) }),
    edit: { step: 'name', label: 'intake:field.name' },
  }),
  field({
    key: 'birthYear',
    personal: true,
    applies: always,
    ...number,
    summary: (d) => line('intake:summary.birth_year', d.birthYear === UNKNOWN_BIRTH_YEAR ? msg('intake:birth_year.unknown_value') : (d.birthYear ?? '')),
    edit: { step: 'birth_year', label: 'intake:field.birth_year' },
  }),
  field({
    key: 'condition',
    personal: false,
    applies: always,
    ...plain,
    summary: (d) => line('intake:summary.condition', msg(`intake:condition.${d.condition}`)),
    edit: { step: 'condition', label: 'intake:field.condition' },
  }),
  field({ key: 'communeId', personal: false, applies: always, ...plain, edit: { step: 'commune', label: 'intake:field.commune' } }),
  field({
    key: 'address',
    personal: true,
    applies: always,
    ...plain,
    summary: (d, v) => line('intake:summary.address', d.address ?? '', { commune: v.communeName(d.communeId ?? '') }),
    card: (r, v) => msg('team:card.address', { address: r.address, commune: v.communeName(r.communeId) }),
    edit: { step: 'address', label: 'intake:field.address' },
  }),
  field({
    key: 'pickupAddress',
    personal: true,
    applies: isRide,
    ...plain,
    summary: (d) => (isRide(d) ? line('intake:summary.pickup', d.pickupAddress ?? '') : undefined),
    card: (r) => (r.type === 'ride' ? msg('team:card.pickup', { pickup: r.pickupAddress ?? '', people: r.people ?? 1 }) : undefined),
    edit: { step: 'pickup', label: 'intake:field.pickup' },
  }),
  field({
    key: 'people',
    personal: false,
    applies: isRide,
    ...number,
    summary: (d) => (isRide(d) ? line('intake:summary.people', d.people ?? 1) : undefined),
    edit: { step: 'people', label: 'intake:field.people' },
  }),
  field({
    key: 'phone',
    personal: true,
    applies: always,
    ...plain,
    summary: (d) => line(isFar(d) ? 'intake:summary.home_phone' : 'intake:summary.phone', d.phone ?? ''),
    card: (r) => msg(isFar(r) ? 'abroad:card.home_phone' : 'team:card.phone', { phone: r.phone }),
    edit: { step: 'phone', label: 'intake:field.phone' },
  }),
  field({
    key: 'relativePhone',
    personal: true,
    applies: isFar,
    optional: true,
    ...plain,
    summary: (d) => (isFar(d) ? line('intake:summary.relative_phone', d.relativePhone ? describePhone(d.relativePhone) : msg('intake:relative.none')) : undefined),
    card: (r) =>
      isFar(r)
        ? r.relativePhone
          ? msg('abroad:card.relative', { channel: msgOr(`handoff:channel.${r.channel}`, r.channel), phone: describePhone(r.relativePhone) })
          : msg('abroad:card.relative_no_phone', { channel: msgOr(`handoff:channel.${r.channel}`, r.channel) })
        : undefined,
    edit: { step: 'relative_phone', label: 'intake:field.relative_phone' },
  }),
  field({
    key: 'relativeCountry',
    personal: true,
    applies: isFar,
    optional: true,
    ...plain,
    summary: (d) => (isFar(d) && d.relativeCountry ? line('intake:summary.country', countryName(d.relativeCountry)) : undefined),
    // Call the home first (the person is there), tell the relative after.
    card: (r) =>
      r.relativeCountry === undefined ? undefined : r.relativeCountry === VN_COUNTRY ? msg('abroad:card.from_far') : msg('abroad:card.from_abroad', { country: countryName(r.relativeCountry) }),
    edit: { step: 'country', label: 'intake:field.country' },
  }),
  field({ key: 'timeZone', personal: true, applies: isFar, optional: true, ...plain }),
  field({
    key: 'services',
    personal: false,
    applies: always,
    ...json,
    summary: (d) => line('intake:summary.services', servicesOf(d.services ?? [])),
    card: (r) => msg('team:card.services', { services: servicesOf(r.services) }),
    edit: { step: 'services', label: 'intake:field.services' },
  }),
  field({
    key: 'preferredDate',
    personal: false,
    applies: always,
    ...plain,
    summary: (d) => line('intake:summary.date', d.preferredDate ? formatVnDate(d.preferredDate) : ''),
    card: (r) => msg('team:card.date', { date: formatVnDate(r.preferredDate) }),
    edit: { step: 'date', label: 'intake:field.date' },
  }),
  field({
    key: 'notes',
    personal: true,
    applies: always,
    optional: true,
    ...plain,
    summary: (d) => (d.notes ? line('intake:summary.notes', d.notes) : undefined),
    card: (r) => (r.notes ? msg('team:card.notes', { notes: r.notes }) : undefined),
    edit: { step: 'notes', label: 'intake:field.notes' },
  }),
  // Which session it is for: set by the date question, never shown as a line of its own.
  field({ key: 'sessionId', personal: false, applies: always, optional: true, ...plain }),
  field({ key: 'filedFor', personal: false, applies: always, ...plain, summary: (d) => (d.filedFor === 'other' ? msg('intake:summary.filed_for_other') : undefined) }),
  field({ key: 'consentAt', personal: false, applies: always, ...number }),
] as const satisfies readonly Field[];

function servicesOf(services: readonly string[]): Msg {
  return msg('common:lines', { lines: list(services.map((s) => msg(`intake:services.${s}`)), 'comma') });
}

const all = FIELDS as readonly Field[];

/** The fields the draft still lacks. */
export function missingFields(d: Draft): Key[] {
  return all.filter((f) => f.applies(d) && !f.optional && d[f.key] === undefined).map((f) => f.key);
}

export function summaryLines(d: Draft, v: FieldView): Msg[] {
  return all.map((f) => f.summary?.(d, v)).filter((m): m is Msg => m !== undefined);
}

export function cardLines(r: CitizenRequest, v: FieldView): Msg[] {
  return all.map((f) => f.card?.(r, v)).filter((m): m is Msg => m !== undefined);
}

/** The fields editable from the summary, for this draft (ride-only ones only on a ride). */
export function editableFields(d: Draft): { step: string; label: string }[] {
  return all.filter((f) => f.edit && f.applies(d)).map((f) => f.edit!);
}

/** The stored columns of the fields (keyed like the schema's properties). */
export function fieldsToColumns(r: RequestFields): Record<string, unknown> {
  return Object.fromEntries(all.map((f) => [f.key, f.toColumn(r[f.key])]));
}

export function fieldsFromColumns(row: Record<string, unknown>): RequestFields {
  return Object.fromEntries(all.map((f) => [f.key, f.fromColumn(row[f.key])])) as unknown as RequestFields;
}

/** The columns erasure and retention empty: the personal fields, nothing else. */
export const PERSONAL_COLUMNS: readonly Key[] = all.filter((f) => f.personal).map((f) => f.key);
