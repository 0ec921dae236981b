import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Zalo OA webhook: signature check and event parsing. Pure functions, no I/O, so the adapter
 * can verify and answer 200 within Zalo's ~2 s and do the work afterwards.
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;

function isNumberChar(c: number): boolean {
  // digits . e E + -
  return (c >= DIGIT_0 && c <= DIGIT_9) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
}

/**
 * Wraps integer literals of 16 digits or more in quotes. Zalo's ids exceed 2^53; should one ever
 * arrive unquoted, JSON.parse would silently change its last digits and the bot would answer a
 * different user id. Strings are skipped whole, so nothing inside them is touched.
 */
function quoteBigIntegers(s: string): string {
  let out = '';
  let copiedTo = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      i++;
      while (i < n) {
        const d = s.charCodeAt(i);
        if (d === BACKSLASH) i += 2;
        else {
          i++;
          if (d === QUOTE) break;
        }
      }
      continue;
    }
    if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      const start = i;
      i++;
      while (i < n && isNumberChar(s.charCodeAt(i))) i++;
      const token = s.slice(start, i);
      if (/^-?\d{16,}$/.test(token)) {
        out += `${s.slice(copiedTo, start)}"${token}"`;
        copiedTo = i;
      }
      continue;
    }
    i++;
  }
  return copiedTo === 0 ? s : out + s.slice(copiedTo);
}

/** The webhook body as JSON with every id kept exact; undefined when it is not JSON. */
export function parseOaBody(raw: Buffer | string): unknown {
  try {
    return JSON.parse(quoteBigIntegers(typeof raw === 'string' ? raw : raw.toString('utf8')));
  } catch {
    return undefined;
  }
}

export interface VerifySignatureInput {
  appId: string;
  /** The OA secret key of the webhook settings (not the app secret). */
  secretKey: string;
  /** The request bytes exactly as received: re-serialised JSON no longer matches. */
  rawBody: Buffer;
  /** X-ZEvent-Signature: `mac=<hex>` (a bare hex is accepted too). */
  header: string | undefined;
  /**
   * X-ZEvent-Timestamp, when the request has one. Zalo documents the body's `timestamp` as what
   * is signed; some integrations sign the header's instead, so either is accepted.
   */
  timestampHeader?: string;
}

/** sha256(appId + rawBody + timestamp + secretKey), compared in constant time; false on any malformed input. */
export function verifySignature(input: VerifySignatureInput): boolean {
  try {
    const { appId, secretKey, rawBody, header } = input;
    if (!appId || !secretKey || typeof header !== 'string' || !Buffer.isBuffer(rawBody)) return false;
    const m = /^\s*(?:mac\s*=\s*)?([0-9a-f]{64})\s*$/i.exec(header);
    if (!m?.[1]) return false;
    const given = Buffer.from(m[1], 'hex');
    const body = parseOaBody(rawBody);
    if (!isRecord(body)) return false;
    const timestamps = new Set<string>();
    const ts = body.timestamp;
    if (typeof ts === 'string' && ts !== '') timestamps.add(ts);
    else if (typeof ts === 'number' && Number.isFinite(ts)) timestamps.add(String(ts));
    const headerTs = input.timestampHeader?.trim();
    if (headerTs) timestamps.add(headerTs);
    let ok = false;
    for (const t of timestamps) {
      const expected = createHash('sha256').update(appId, 'utf8').update(rawBody).update(t, 'utf8').update(secretKey, 'utf8').digest();
      // No early exit, so the time taken does not tell which candidate matched.
      if (timingSafeEqual(expected, given)) ok = true;
    }
    return ok;
  } catch {
    return false;
  }
}

export type OaUnsupportedWhat = 'image' | 'file' | 'sticker' | 'audio' | 'video' | 'link' | 'gif' | 'business_card' | 'contact' | 'location' | 'other';

/** `timestamp` is the event's own (epoch ms), 0 when absent. Ids are strings, always. */
export type OaEvent =
  | { kind: 'text'; msgId: string; userId: string; text: string; timestamp: number }
  | { kind: 'location'; msgId: string; userId: string; lat: number; lon: number; label?: string; timestamp: number }
  | { kind: 'unsupported'; msgId: string; userId: string; what: OaUnsupportedWhat; timestamp: number }
  | { kind: 'follow' | 'unfollow'; userId: string; timestamp: number }
  | { kind: 'chatnow'; userId: string; timestamp: number }
  | { kind: 'submit_info'; userId: string; name?: string; phone?: string; address?: string; city?: string; district?: string; timestamp: number }
  | { kind: 'received' | 'seen'; userId: string; msgIds: string[]; timestamp: number }
  | { kind: 'echo'; msgId: string; userId?: string; eventName: string; timestamp: number }
  | { kind: 'other'; eventName: string; userId?: string; timestamp: number };

export interface ParseOaEventOptions {
  /** The OA's own id: tells the user apart on events where sources disagree on sender/recipient. */
  oaId?: string;
}

const UNSUPPORTED: ReadonlyMap<string, OaUnsupportedWhat> = new Map<string, OaUnsupportedWhat>([
  ['image', 'image'],
  ['file', 'file'],
  ['sticker', 'sticker'],
  ['audio', 'audio'],
  ['voice', 'audio'],
  ['video', 'video'],
  ['link', 'link'],
  ['gif', 'gif'],
  ['business_card', 'business_card'],
  ['contact', 'contact'],
]);

function idString(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  // Only safe integers: a larger number has already lost digits and must not pass as an id.
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

function idOf(v: unknown): string | undefined {
  return isRecord(v) ? idString(v.id) : undefined;
}

/** People type on phones that send Vietnamese decomposed (NFD); the dialogs compare NFC. */
function humanText(v: unknown): string | undefined {
  return typeof v === 'string' ? v.normalize('NFC') : undefined;
}

function coordinate(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function locationOf(message: Record<string, unknown>): { lat: number; lon: number } | undefined {
  const attachments = Array.isArray(message.attachments) ? message.attachments : [];
  const fromAttachment = attachments.find((a) => isRecord(a) && isRecord(a.payload) && isRecord(a.payload.coordinates)) as
    | { payload: { coordinates: Record<string, unknown> } }
    | undefined;
  // Some integrations report `message.location` with lat/long instead of the documented coordinates.
  const c = fromAttachment?.payload.coordinates ?? (isRecord(message.location) ? message.location : undefined);
  if (!c) return undefined;
  const lat = coordinate(c.latitude ?? c.lat);
  const lon = coordinate(c.longitude ?? c.long ?? c.lng ?? c.lon);
  if (lat === undefined || lon === undefined || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  return { lat, lon };
}

/** The user's id on an event about a message the OA sent (echo, received, seen). */
function userOfOaMessage(b: Record<string, unknown>, opts: ParseOaEventOptions): string | undefined {
  const sender = idOf(b.sender);
  const recipient = idOf(b.recipient);
  if (opts.oaId) {
    if (sender === opts.oaId) return recipient;
    if (recipient === opts.oaId) return sender;
  }
  // Zalo reports these from the message's point of view: the OA sent it, the user received it.
  return recipient ?? idString(b.user_id) ?? sender;
}

export function parseOaEvent(body: unknown, opts: ParseOaEventOptions = {}): OaEvent | undefined {
  if (!isRecord(body) || typeof body.event_name !== 'string' || body.event_name === '') return undefined;
  const eventName = body.event_name;
  const ts = coordinate(body.timestamp);
  const timestamp = ts !== undefined && ts > 0 ? ts : 0;
  const message = isRecord(body.message) ? body.message : {};
  const sender = idOf(body.sender);

  if (eventName.startsWith('oa_send_')) {
    const msgId = idString(message.msg_id) ?? '';
    return { kind: 'echo', msgId, userId: userOfOaMessage(body, opts), eventName, timestamp };
  }

  if (eventName === 'user_received_message' || eventName === 'user_seen_message') {
    const userId = userOfOaMessage(body, opts);
    if (!userId) return undefined;
    const ids = Array.isArray(message.msg_ids) ? message.msg_ids : [];
    const msgIds = [...ids, message.msg_id].map(idString).filter((id): id is string => id !== undefined);
    return { kind: eventName === 'user_seen_message' ? 'seen' : 'received', userId, msgIds: [...new Set(msgIds)], timestamp };
  }

  if (eventName === 'follow' || eventName === 'unfollow') {
    const userId = idOf(body.follower) ?? sender ?? idString(body.user_id);
    return userId ? { kind: eventName, userId, timestamp } : undefined;
  }

  if (eventName === 'user_click_chatnow') {
    // Documented with top-level user_id/oa_id rather than sender/recipient.
    const userId = idString(body.user_id) ?? sender ?? idOf(body.follower);
    return userId ? { kind: 'chatnow', userId, timestamp } : undefined;
  }

  if (eventName === 'user_submit_info') {
    const userId = sender ?? idString(body.user_id);
    if (!userId) return undefined;
    const info = isRecord(body.info) ? body.info : {};
    const event: Extract<OaEvent, { kind: 'submit_info' }> = { kind: 'submit_info', userId, timestamp };
    const name = humanText(info.name);
    const phone = typeof info.phone === 'string' ? info.phone : typeof info.phone === 'number' ? String(info.phone) : undefined;
    const address = humanText(info.address);
    const city = humanText(info.city);
    const district = humanText(info.district);
    if (name) event.name = name;
    if (phone) event.phone = phone;
    if (address) event.address = address;
    if (city) event.city = city;
    if (district) event.district = district;
    return event;
  }

  const send = /^user_send_(\w+)$/.exec(eventName);
  if (send?.[1]) {
    if (!sender) return undefined;
    // Without Zalo's id, a stable stand-in keeps duplicate deliveries recognisable.
    const msgId = idString(message.msg_id) ?? `${eventName}:${sender}:${timestamp}`;
    const what = send[1];
    if (what === 'text') return { kind: 'text', msgId, userId: sender, text: humanText(message.text) ?? '', timestamp };
    if (what === 'location') {
      const at = locationOf(message);
      if (!at) return { kind: 'unsupported', msgId, userId: sender, what: 'location', timestamp };
      const label = humanText(message.text);
      return { kind: 'location', msgId, userId: sender, lat: at.lat, lon: at.lon, ...(label ? { label } : {}), timestamp };
    }
    return { kind: 'unsupported', msgId, userId: sender, what: UNSUPPORTED.get(what) ?? 'other', timestamp };
  }

  return { kind: 'other', eventName, ...(sender ? { userId: sender } : {}), timestamp };
}
