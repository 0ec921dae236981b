/**
 * Vietnamese mobile numbers: 10 digits starting 03/05/07/08/09, also written +84…/84… and with
 * spaces, dots or dashes. Landlines are not accepted: officers need a number that receives calls
 * and SMS on the go.
 */
export type PhoneResult = { ok: true; phone: string } | { ok: false };

export function parseVnMobile(input: string): PhoneResult {
  const compact = input.trim().replace(/[\s.\-()]/g, '');
  if (!/^\+?\d+$/.test(compact)) return { ok: false };
  let digits = compact.replace(/^\+/, '');
  if (digits.startsWith('84') && digits.length === 11) digits = `0${digits.slice(2)}`;
  return /^0[35789]\d{8}$/.test(digits) ? { ok: true, phone: digits } : { ok: false };
}

/** For logs and summaries seen outside the team: 0912345678 → 091****678. */
export function maskPhone(phone: string): string {
  return phone.length < 7 ? '***' : `${phone.slice(0, 3)}****${phone.slice(-3)}`;
}
