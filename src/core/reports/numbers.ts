import type { Msg } from '../../domain/message.js';
import { msg } from '../../domain/message.js';

/** A form field's problem, named so the page shows it next to the field. */
export type FieldErrors = Record<string, Msg>;
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

const MAX = 10_000_000;

/**
 * A whole number as people type it: "86686", "86.686", "86,686" or "86 686" (thousands
 * separators, as Vietnamese writes them). Empty is `empty`; anything else is undefined.
 */
export function readCount(raw: string, empty?: number): number | undefined {
  const s = raw.trim();
  if (s === '') return empty;
  if (!/^\d{1,3}([.,\s]\d{3})*$/.test(s) && !/^\d+$/.test(s)) return undefined;
  const n = Number(s.replace(/[.,\s]/g, ''));
  return Number.isSafeInteger(n) && n <= MAX ? n : undefined;
}

/** The error for a number that is not one, naming the field and what was typed. */
export function notANumber(label: Msg, typed: string): Msg {
  if (/^\s*-\s*\d/.test(typed)) return msg('reports:error.negative', { field: label });
  return msg('reports:error.not_number', { field: label, typed: typed.trim().slice(0, 30) });
}

export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
