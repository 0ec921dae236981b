import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomBytes } from 'node:crypto';

/**
 * The OA admin's consent (OAuth v4 with PKCE) without storing anything between the link and
 * the callback, so any replica can take the callback: the `state` carries its own expiry and
 * a MAC under the app secret, and the code verifier is derived from the state under the same
 * secret (only we can compute it; the link shows only its challenge).
 */
const CONSENT_TTL_MS = 10 * 60_000;

function mac(secret: string, what: string): string {
  return createHmac('sha256', secret).update(what, 'utf8').digest('base64url');
}

export function newConsentState(appSecret: string, now: number): string {
  const body = `${now + CONSENT_TTL_MS}.${randomBytes(9).toString('base64url')}`;
  return `${body}.${mac(appSecret, `state:${body}`)}`;
}

/** True when the state is ours and not expired. */
export function checkConsentState(appSecret: string, state: string, now: number): boolean {
  const m = /^(\d{10,16})\.([\w-]{8,32})\.([\w-]{43})$/.exec(state);
  if (!m) return false;
  const expected = Buffer.from(mac(appSecret, `state:${m[1]}.${m[2]}`));
  const given = Buffer.from(m[3]!);
  return expected.length === given.length && timingSafeEqual(expected, given) && Number(m[1]) > now;
}

/** The PKCE verifier of a consent: 43 base64url characters, as RFC 7636 asks. */
export function consentVerifier(appSecret: string, state: string): string {
  return mac(appSecret, `pkce:${state}`);
}
