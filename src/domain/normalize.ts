import { foldText } from './text.js';

/**
 * Normalises a typed message for matching: diacritics and case folded (đ→d), stretched letters
 * shortened ("cuuuu" → "cuu", "chayyy" → "chay"), and chat abbreviations expanded ("ko dc" →
 * "khong duoc", "cmnd" → "cccd"). The abbreviation table is data from locales/, not code.
 */
export class MessageNormalizer {
  private readonly single = new Map<string, string>();
  private readonly multi: [string, RegExp, string][] = [];
  /** Words of the table's expansions: kept as they are ("cccd" must not be squeezed to "cd"). */
  private readonly known = new Set<string>();

  constructor(abbreviations: Record<string, string>) {
    for (const [short, long] of Object.entries(abbreviations)) {
      const key = foldText(short);
      for (const w of foldText(long).split(' ')) this.known.add(w);
      if (key.includes(' ')) this.multi.push([key, new RegExp(`(^| )${key}(?= |$)`, 'g'), `$1${foldText(long)}`]);
      else this.single.set(key, foldText(long));
    }
  }

  normalize(text: string): string {
    let out = foldText(text)
      .split(' ')
      // A known word first ("cccd" must not lose its repeated c), then the squeezed form ("khongggg").
      .map((w) => this.single.get(w) ?? (this.known.has(w) ? w : (this.single.get(squeeze(w)) ?? squeeze(w))))
      .join(' ');
    // Most messages hold none of the multi-word keys: a substring check skips the regex.
    for (const [key, re, long] of this.multi) if (out.includes(key)) out = out.replace(re, long);
    return out;
  }
}

/** Three or more of a letter: two for vowels that double in Vietnamese words (cuu, xoong), else one. */
function squeeze(word: string): string {
  return word.replace(/([a-z])\1{2,}/g, (_, c: string) => ('uoe'.includes(c) ? c + c : c));
}

/** True when the normalised message contains one of the phrases, word for word. */
export function containsPhrase(normalized: string, phrases: readonly string[]): boolean {
  const padded = ` ${normalized} `;
  return phrases.some((p) => p !== '' && padded.includes(` ${p} `));
}
