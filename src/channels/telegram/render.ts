import type { InlineKeyboardButton, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, InlineKeyboardMarkup } from 'grammy/types';
import type { Reply } from '../../domain/reply.js';
import type { Lang, Translator } from '../../i18n.js';

export const TELEGRAM_TEXT_MAX = 4096;
const CALLBACK_DATA_MAX = 64;

export interface TelegramMessage {
  text: string;
  reply_markup?: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;
  /** A photo (file id or URL) sent as a photo message, before the text. */
  photo?: string;
}

/** Button data: "<nonce>|<option id>". The engine checks both against what it last offered. */
export function callbackData(nonce: number, optionId: string): string {
  const data = `${nonce}|${optionId}`;
  if (Buffer.byteLength(data) > CALLBACK_DATA_MAX) throw new Error(`callback data too long: ${optionId}`);
  return data;
}

export function parseCallbackData(data: string): { id: string; nonce: number } | undefined {
  const m = /^(\d{1,7})\|([\w:.-]{1,56})$/.exec(data);
  return m ? { nonce: Number(m[1]), id: m[2]! } : undefined;
}

/** One reply as Telegram messages: a photo first if any, HTML text split at the limit, buttons on the last piece. */
export function renderTelegram(reply: Reply, t: Translator, lang?: Lang): TelegramMessage[] {
  const text = renderText(reply, t, lang);
  return reply.photo ? [{ text: '', photo: reply.photo }, ...text] : text;
}

function renderText(reply: Reply, t: Translator, lang?: Lang): TelegramMessage[] {
  const pieces = splitHtml(t.renderAll(reply.text, lang), TELEGRAM_TEXT_MAX);
  const messages: TelegramMessage[] = pieces.map((text) => ({ text }));
  const last = messages[messages.length - 1]!;
  const nonce = reply.nonce ?? 0;
  const nav = (): string[] => [t.render({ key: 'common:nav.back' }, lang), t.render({ key: 'common:nav.cancel' }, lang)];

  if (reply.askLocation) {
    // After an emergency: one tap sends where the person is (a reply-keyboard button, like the contact's).
    last.reply_markup = { keyboard: [[{ text: t.render({ key: 'safety:emergency.location_button' }, lang), request_location: true }]], resize_keyboard: true, one_time_keyboard: true, is_persistent: false };
  } else if (reply.askContact) {
    // The share-contact button exists only on a reply keyboard; back/cancel go there as typed words.
    const rows: KeyboardButton[][] = [[{ text: t.render({ key: 'intake:phone.share_button' }, lang), request_contact: true }]];
    if (reply.nav) rows.push(nav().map((text) => ({ text })));
    last.reply_markup = { keyboard: rows, resize_keyboard: true, one_time_keyboard: true, is_persistent: false };
  } else if (reply.options?.length || reply.nav) {
    const rows: InlineKeyboardButton[][] = (reply.options ?? []).map((o) => [
      { text: t.render(o.label, lang), callback_data: callbackData(nonce, o.id) },
    ]);
    if (reply.nav) {
      const [back, cancel] = nav();
      rows.push([
        { text: back!, callback_data: callbackData(nonce, 'nav:back') },
        { text: cancel!, callback_data: callbackData(nonce, 'nav:cancel') },
      ]);
    }
    last.reply_markup = { inline_keyboard: rows };
  } else if (reply.clearKeyboard) {
    last.reply_markup = { remove_keyboard: true };
  }
  if (reply.clearKeyboard && last.reply_markup && !('remove_keyboard' in last.reply_markup) && messages.length === 1 && !reply.askContact) {
    // Telegram takes one keyboard per message: clear the old reply keyboard with the text, buttons follow.
    return [
      { text: last.text, reply_markup: { remove_keyboard: true } },
      { text: t.render({ key: 'common:nav.choose_below' }, lang), reply_markup: last.reply_markup },
    ];
  }
  return messages;
}

/** What Telegram counts against its limit: the text it shows, tags removed and entities decoded. */
export function visibleLength(html: string): number {
  return html.replace(/<[^>]*>/g, '').replace(/&(?:[a-z]+|#\d+|#x[0-9a-f]+);/gi, '_').length;
}

const BREAKS: RegExp[] = [/\n\n/y, /\n/y, /[.!?…]\s/y, /\s/y];

/**
 * Splits HTML into pieces of at most `max` shown characters (Telegram measures the parsed text:
 * "&lt;" is one character, a tag none), cutting only outside tags and entities and where no tag
 * is open, so every piece is valid on its own: at a paragraph, else a line, else a sentence,
 * else a space, keeping pieces reasonably full.
 */
export function splitHtml(html: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = html.trim();
  while (visibleLength(rest) > max) {
    const cut = cutPoint(rest, max);
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces;
}

/** Where to cut: the best break (by kind, then latest) within `max` shown characters. */
function cutPoint(html: string, max: number): number {
  const best: (number | undefined)[] = BREAKS.map(() => undefined);
  let shown = 0;
  let open = 0;
  let lastSafe = 0;
  for (let i = 0; i < html.length && shown <= max; ) {
    const c = html[i]!;
    if (c === '<') {
      const end = html.indexOf('>', i);
      const tag = html.slice(i, end + 1);
      open += tag.startsWith('</') ? -1 : tag.endsWith('/>') ? 0 : 1;
      i = end + 1;
      if (open === 0) lastSafe = i;
      continue;
    }
    if (c === '&') {
      const m = /^&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i, i + 12));
      if (m) {
        i += m[0].length;
        shown++;
        if (open === 0 && shown <= max) lastSafe = i;
        continue;
      }
    }
    if (open === 0 && shown > max / 3) {
      BREAKS.forEach((re, k) => {
        re.lastIndex = i;
        const m = re.exec(html);
        if (m && shown + m[0].length <= max + 1) best[k] = i + m[0].length;
      });
    }
    i++;
    shown++;
    if (open === 0 && shown <= max) lastSafe = i;
  }
  return best.find((b) => b !== undefined) ?? Math.max(1, lastSafe);
}
