import removeAccents from 'remove-accents';

/**
 * One normalisation for everything the bot matches typed text against (menu options, commune
 * names, commands): old phones type without diacritics, tone marks land on different vowels
 * ("hoà"/"hòa") and composed/decomposed forms differ. remove-accents also maps đ→d, which
 * NFD+strip-combining-marks alone would not.
 */
export function foldText(input: string): string {
  return removeAccents(input.normalize('NFC'))
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Characters that show nothing (or reorder what is shown) and so let stored text differ from what
 * an officer reads on a card: zero-width spaces and joiners, the word joiner and invisible
 * operators, the byte-order mark, Hangul fillers (U+3164 passes for a blank name), soft hyphens,
 * bidi embeddings, overrides, isolates and marks (U+202E makes an address read backwards), tag
 * characters, and C0/C1 controls (they break rendering on some phones and in logs).
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB]|\u{E0001}|[\u{E0020}-\u{E007F}]/gu;

/**
 * The one cleaner of text we store as the user typed it (names, addresses, notes, questions,
 * announcements): invisible and control characters out first (so "An\u200B" is judged as "An"),
 * then NFC, whitespace collapsed and trimmed. Every check runs on what this returns.
 */
export function cleanInput(input: string, o: { lines?: boolean } = {}): string {
  const text = input.replace(INVISIBLE, '').normalize('NFC');
  if (!o.lines) return text.replace(/\s+/g, ' ').trim();
  // Line breaks kept (a note written on several lines), at most one blank line between.
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Our rendered text is a tiny HTML subset (b, i, code); plain-text channels get it without tags. */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<\/?(b|i|u|code|strong|em)>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Splits text into pieces of at most `max` characters, preferring paragraph, line, then sentence boundaries. */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    const cut =
      lastBreak(window, /\n\n/g, max) ??
      lastBreak(window, /\n/g, max) ??
      lastBreak(window, /[.!?…](\s)/g, max) ??
      lastBreak(window, /\s/g, max) ??
      max;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

function lastBreak(window: string, re: RegExp, max: number): number | undefined {
  let best: number | undefined;
  for (const m of window.matchAll(re)) {
    const end = m.index + m[0].length;
    // Only accept breaks that keep the chunk reasonably full; tiny chunks read badly.
    if (end <= max && end > max / 3) best = end;
  }
  return best;
}
