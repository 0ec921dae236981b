import { cleanInput } from './text.js';

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
