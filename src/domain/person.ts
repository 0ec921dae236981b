import { cleanInput, foldText } from './text.js';

export const NAME_MAX = 80;
export const MIN_BIRTH_YEAR = 1900;
/** Stored as the birth year when the person does not know it (the column allows no "absent" for a filed request). */
export const UNKNOWN_BIRTH_YEAR = 0;
/** Past this age a two-digit year is read in the 2000s ("05" is 2005, not 1905). */
const OLDEST_AGE = 110;

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

/**
 * What a typed birth year says: a year; a likely year to ask back (two digits, or an age: "41"
 * may be 1941 or an age of 41, so it is never taken without a "yes"); or nothing usable.
 */
export type BirthYearReading =
  | { kind: 'year'; year: number }
  | { kind: 'guess'; year: number; from: 'two_digits' | 'age' }
  | { kind: 'invalid' };

// Folded words that say no more than "born (in)" or "aged", with whoever it is before them
// ("ba noi sinh nam 1941", "me toi 85 tuoi"): the number is what is read.
const YEAR_WORDS = /^(?:(?:.*\s)?(?:sinh nam|nam sinh|sinh|sn|nam|born in|born|year)\s+)?(\d+)$/;
const AGE_WORDS = /^(?:(?:.*\s)?(\d{1,3})\s*(?:tuoi|t|years old|year old|yo)|(?:.*\s)?(?:tuoi|age|aged)\s+(\d{1,3}))$/;

export function readBirthYear(input: string, now: Date): BirthYearReading {
  const folded = foldText(cleanInput(input));
  const thisYear = now.getUTCFullYear();
  const age = AGE_WORDS.exec(folded);
  if (age) {
    const years = Number(age[1] ?? age[2]);
    const year = thisYear - years;
    return years > 0 && year >= MIN_BIRTH_YEAR ? { kind: 'guess', year, from: 'age' } : { kind: 'invalid' };
  }
  const m = YEAR_WORDS.exec(folded);
  if (!m) return { kind: 'invalid' };
  const digits = m[1]!;
  if (digits.length === 4) {
    const year = Number(digits);
    return year >= MIN_BIRTH_YEAR && year <= thisYear ? { kind: 'year', year } : { kind: 'invalid' };
  }
  if (digits.length === 2) {
    const yy = Number(digits);
    const nineteen = 1900 + yy;
    const year = thisYear - nineteen > OLDEST_AGE && 2000 + yy <= thisYear ? 2000 + yy : nineteen;
    return { kind: 'guess', year, from: 'two_digits' };
  }
  return { kind: 'invalid' };
}

export type YearResult = { ok: true; year: number } | { ok: false };

/** A whole year only ("1945", "sinh năm 1945"): what may be stored without asking back. */
export function parseBirthYear(input: string, now: Date): YearResult {
  const r = readBirthYear(input, now);
  return r.kind === 'year' ? { ok: true, year: r.year } : { ok: false };
}
