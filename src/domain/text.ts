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

/** Trims, NFC-normalises and collapses whitespace of text we store as the user typed it. */
export function cleanInput(input: string): string {
  return input
    .normalize('NFC')
    // Control characters (not newlines/tabs) break rendering on some phones and in logs.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')
    .replace(/\s+/g, ' ')
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
