import { type CountryCode, getCountries, getCountryCallingCode, getExampleNumber, type PhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { cleanInput } from './text.js';
import { countryName, VN_COUNTRY } from './timezone.js';

/**
 * Vietnamese phone numbers as people type them: with spaces, dots, dashes or brackets, and with
 * the country code in any of its forms (+84, 84, 0084, and +84 followed by the trunk 0, which
 * many phones' contact lists store: +840912345678). Stored in the national form, 0XXXXXXXXX.
 */
export type PhoneKind = 'mobile' | 'landline';
export type PhoneResult = { ok: true; phone: string } | { ok: false };
export type AnyPhoneResult = { ok: true; phone: string; kind: PhoneKind } | { ok: false };

const MOBILE = /^0[35789]\d{8}$/;
// Fixed lines since the 2017 renumbering: 0, an area code 2x (Hà Nội 24, TP.HCM 28, 8-digit
// numbers) or 2xx (7-digit numbers): 11 digits either way. A 10-digit 02… number does not exist.
const LANDLINE = /^02\d{9}$/;

function nationalDigits(input: string): string | undefined {
  const compact = cleanInput(input).replace(/[\s.\-()]/g, '');
  if (!/^\+?\d+$/.test(compact)) return undefined;
  let digits = compact.startsWith('+') ? compact.slice(1) : compact.startsWith('00') ? compact.slice(2) : compact;
  if (compact.startsWith('+') || compact.startsWith('00')) {
    // An international form must be Vietnam's.
    if (!digits.startsWith('84')) return undefined;
    digits = digits.slice(2);
  } else if (digits.startsWith('84') && (digits.length === 11 || digits.length === 12)) {
    digits = digits.slice(2);
  } else {
    return digits;
  }
  return digits.startsWith('0') ? digits : `0${digits}`;
}

/** A mobile or a landline: officers can call either, only a mobile gets SMS and calls on the road. */
export function parseVnPhone(input: string): AnyPhoneResult {
  const digits = nationalDigits(input);
  if (digits === undefined) return { ok: false };
  if (MOBILE.test(digits)) return { ok: true, phone: digits, kind: 'mobile' };
  if (LANDLINE.test(digits)) return { ok: true, phone: digits, kind: 'landline' };
  return { ok: false };
}

/** Mobile numbers only: 10 digits starting 03/05/07/08/09. */
export function parseVnMobile(input: string): PhoneResult {
  const r = parseVnPhone(input);
  return r.ok && r.kind === 'mobile' ? { ok: true, phone: r.phone } : { ok: false };
}

/** For logs and summaries seen outside the team: 0912345678 → 091****678. */
export function maskPhone(phone: string): string {
  return phone.length < 7 ? '***' : `${phone.slice(0, 3)}****${phone.slice(-3)}`;
}

/**
 * A number in any country, as a relative far away types or shares it: a Vietnamese one as above
 * (with or without +84), any other with its country code (+82 10 1234 5678, 0082…), or without
 * it once their country is known. Stored as E.164 (+821012345678). Refused: the country the
 * code names (if any) and an example of its numbers, for a kind message.
 */
export type WorldPhoneResult = { ok: true; e164: string; country: string } | { ok: false; country?: string; example?: string };

export function parseWorldPhone(input: string, knownCountry?: string): WorldPhoneResult {
  const vn = parseVnPhone(input);
  if (vn.ok) return { ok: true, e164: `+84${vn.phone.slice(1)}`, country: VN_COUNTRY };
  const compact = cleanInput(input).replace(/[\s.\-()]/g, '');
  if (!/^\+?\d+$/.test(compact)) return { ok: false, ...expected(knownCountry) };
  const international = compact.startsWith('+') ? compact : compact.startsWith('00') ? `+${compact.slice(2)}` : undefined;
  const country = international ? countryOfCode(international.slice(1)) : knownCountry;
  if (!country || country === VN_COUNTRY) return { ok: false, ...expected(country) };
  const p = international ? parsePhoneNumberFromString(international) : parsePhoneNumberFromString(compact, country as CountryCode);
  if (p?.isValid() && p.country) return { ok: true, e164: p.number, country: p.country };
  return { ok: false, ...expected(p?.country ?? country) };
}

/** "+821012345678" → "+82 10-1234-5678, Hàn Quốc"; a Vietnamese number as people write it here (0912345678). */
export function describePhone(e164: string, lang = 'vi'): string {
  const p = parsePhoneNumberFromString(e164);
  if (!p?.country) return e164;
  if (p.country === VN_COUNTRY) return `0${p.nationalNumber}`;
  return `${internationalNational(p)}, ${countryName(p.country, lang)}`;
}

/** The country of a stored number (E.164), if it has one. */
export function phoneCountry(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}

/** The national format after the country code, without the trunk prefix: +82 10-1234-5678. */
function internationalNational(p: PhoneNumber): string {
  const national = p.formatNational();
  // The trunk digits ("0" in Korea, "8" in Russia) are those the national form has beyond the national number.
  let extra = national.replace(/\D/g, '').length - p.nationalNumber.length;
  let i = 0;
  while (extra > 0 && i < national.length) if (/\d/.test(national[i++]!)) extra--;
  return `+${p.countryCallingCode} ${national.slice(i).replace(/^[\s)-]+/, '')}`;
}

// Several countries share a code; this one is meant when only the code is known.
const MAIN_FOR_CODE: Record<string, string> = { '1': 'US', '7': 'RU', '44': 'GB', '47': 'NO', '61': 'AU', '212': 'MA', '262': 'RE', '290': 'SH', '358': 'FI', '39': 'IT', '590': 'GP', '599': 'CW' };
let byCode: Map<string, string> | undefined;

/** The country a dialled number's code names ("8210…" → KR); country codes are prefix-free. */
function countryOfCode(digits: string): string | undefined {
  if (!byCode) {
    byCode = new Map();
    for (const c of getCountries()) if (!byCode.has(getCountryCallingCode(c))) byCode.set(getCountryCallingCode(c), c);
    for (const [code, c] of Object.entries(MAIN_FOR_CODE)) byCode.set(code, c);
  }
  for (let n = 1; n <= 3; n++) {
    const c = byCode.get(digits.slice(0, n));
    if (c) return c;
  }
  return undefined;
}

function expected(country: string | undefined): { country?: string; example?: string } {
  if (!country || country === VN_COUNTRY) return {};
  const example = getExampleNumber(country as CountryCode, examples);
  return { country, ...(example ? { example: internationalNational(example) } : {}) };
}
