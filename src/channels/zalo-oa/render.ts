import type { Msg, Param } from '../../domain/message.js';
import type { Reply } from '../../domain/reply.js';
import { htmlToPlain, splitText } from '../../domain/text.js';
import type { Lang, Translator } from '../../i18n.js';
import { renderPlain } from '../plainText.js';
import { OA_BUTTONS_MAX, OA_TEXT_MAX, type OaButton } from './client.js';

/**
 * One OA message. `notice`: what the reply says, as a message key and its parameters, so that
 * outside the 7-day window the adapter can send the approved template for that key instead;
 * `first` marks the piece that carries it (a long reply is split, the template is sent once).
 */
export type OaMessage =
  | { kind: 'text'; text: string; buttons?: OaButton[]; notice: OaNotice }
  /** The share-phone form (request_user_info); its answer comes back as `user_submit_info`. */
  | { kind: 'info'; title: string; subtitle: string }
  | { kind: 'image'; url: string };

export interface OaNotice {
  key: string;
  params: Record<string, string>;
  /** The whole reply as plain text, for a template that shows it ({text}). */
  text: string;
  first: boolean;
}

/** A button's payload: comes back as the text of a `user_send_text` when tapped. */
export function buttonPayload(nonce: number, optionId: string): string {
  return `#${nonce}|${optionId}`;
}

export function parseButtonPayload(text: string): { id: string; nonce: number } | undefined {
  const m = /^#(\d{1,9})\|([\w:.-]{1,80})$/.exec(text.trim());
  return m ? { nonce: Number(m[1]), id: m[2]! } : undefined;
}

/**
 * A reply as OA messages: up to five options as buttons (with back and cancel when they fit),
 * more as a numbered list that accepts the number or the words, text in pieces of at most 2,000
 * characters, the share-phone form after the question that asks for the phone.
 */
export function renderOa(reply: Reply, t: Translator, lang?: Lang, infoCard?: { title: string; subtitle: string }): OaMessage[] {
  const options = reply.options ?? [];
  const nav = reply.nav ? [{ id: 'nav:back', label: { key: 'common:nav.back' } }, { id: 'nav:cancel', label: { key: 'common:nav.cancel' } }] : [];
  const asButtons = options.length > 0 && options.length <= OA_BUTTONS_MAX;
  const navAsButtons = nav.length > 0 && (options.length === 0 || asButtons) && options.length + nav.length <= OA_BUTTONS_MAX;
  let body: string;
  if (!asButtons && options.length > 0) body = renderPlain(reply, t, lang);
  else {
    const parts = [htmlToPlain(t.renderAll(reply.text, lang))];
    if (reply.nav && !navAsButtons) parts.push(htmlToPlain(t.render({ key: 'common:nav.hint_nav' }, lang)));
    body = parts.join('\n\n');
  }
  const nonce = reply.nonce ?? 0;
  const buttons: OaButton[] = [
    ...(asButtons ? options : []),
    ...(navAsButtons ? nav : []),
  ].map((o) => ({ title: htmlToPlain(t.render(o.label, lang)), type: 'oa.query.hide' as const, payload: buttonPayload(nonce, o.id) }));

  // Zalo takes no buttons without text.
  if (body.trim() === '' && buttons.length > 0) body = htmlToPlain(t.render({ key: 'common:nav.choose_below' }, lang));
  const pieces = splitText(body, OA_TEXT_MAX);
  const first = reply.text[0];
  const notice = (i: number): OaNotice => ({ key: first?.key ?? '', params: flatParams(first, t, lang), text: body, first: i === 0 });
  const out: OaMessage[] = [];
  // A photo by URL only: a Telegram file id means nothing to Zalo.
  if (reply.photo && /^https?:\/\//.test(reply.photo)) out.push({ kind: 'image', url: reply.photo });
  pieces.forEach((text, i) => {
    const last = i === pieces.length - 1;
    out.push({ kind: 'text', text, ...(last && buttons.length > 0 ? { buttons } : {}), notice: notice(i) });
  });
  if (reply.askContact && infoCard) out.push({ kind: 'info', ...infoCard });
  return out;
}

/** A message's parameters as plain strings (nested messages rendered), for a template. */
function flatParams(m: Msg | undefined, t: Translator, lang?: Lang): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m?.params ?? {})) {
    const s = paramText(v, t, lang);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

function paramText(v: Param, t: Translator, lang?: Lang): string | undefined {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if ('key' in v) return htmlToPlain(t.render(v, lang));
  return v.items.map((x) => htmlToPlain(t.render(x, lang))).join(v.sep === 'line' ? '\n' : ', ');
}
