import type { Msg } from '../domain/message.js';
import { field } from './console.js';

/** A form's fields as strings (missing: empty), trimmed, each at most `max` characters. */
export function values<K extends string>(body: unknown, names: readonly K[], max = 200): Record<K, string> {
  return Object.fromEntries(names.map((n) => [n, field(body, n).trim().slice(0, max)])) as Record<K, string>;
}

/** A repeated field (checkboxes): every value sent, once each. */
export function many(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return [...new Set(all.filter((x): x is string => typeof x === 'string'))];
}

/** Problems found in a form, by field name: each shown next to its field. */
export type FormErrors = Record<string, Msg>;

/** The status a page with these problems is answered with. */
export function statusOf(errors: FormErrors): number {
  return Object.keys(errors).length > 0 ? 422 : 200;
}
