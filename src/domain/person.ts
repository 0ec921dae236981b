import { cleanInput } from './text.js';

export const NAME_MAX = 80;
export const MIN_BIRTH_YEAR = 1900;

export type NameResult = { ok: true; name: string } | { ok: false; reason: 'empty' | 'too_long' | 'not_a_name' };

/** Accepts names with or without diacritics; refuses what cannot be a person's name. */
export function parsePersonName(input: string): NameResult {
  const name = cleanInput(input);
  if (name.length === 0) return { ok: false, reason: 'empty' };
  if (name.length > NAME_MAX) return { ok: false, reason: 'too_long' };
  // Letters (any script, with marks), spaces, and the few punctuation marks real names carry.
  if (!/^[\p{L}\p{M}][\p{L}\p{M} .'-]*$/u.test(name)) return { ok: false, reason: 'not_a_name' };
  const letters = name.replace(/[^\p{L}]/gu, '');
  if (letters.length < 2) return { ok: false, reason: 'not_a_name' };
  return { ok: true, name };
}

export type YearResult = { ok: true; year: number } | { ok: false };

export function parseBirthYear(input: string, now: Date): YearResult {
  const m = /^\s*(\d{4})\s*$/.exec(input);
  if (!m) return { ok: false };
  const year = Number(m[1]);
  return year >= MIN_BIRTH_YEAR && year <= now.getUTCFullYear() ? { ok: true, year } : { ok: false };
}
