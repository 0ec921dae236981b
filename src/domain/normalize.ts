import { foldText } from './text.js';

/**
 * Normalises a typed message for matching: diacritics and case folded (đ→d), stretched letters
 * shortened ("cuuuu" → "cuu", "chayyy" → "chay"), and chat abbreviations expanded ("ko dc" →
 * "khong duoc", "cmnd" → "cccd"). The abbreviation table is data from locales/, not code.
 */
export class MessageNormalizer {
  private readonly single = new Map<string, string>();
  private readonly multi: [RegExp, string][] = [];

  constructor(abbreviations: Record<string, string>) {
    for (const [short, long] of Object.entries(abbreviations)) {
      const key = foldText(short);
      if (key.includes(' ')) this.multi.push([new RegExp(`(^| )${key}(?= |$)`, 'g'), `$1${foldText(long)}`]);
      else this.single.set(key, foldText(long));
    }
  }

  normalize(text: string): string {
    // Three or more of a letter: two for vowels that double in Vietnamese words (cuu, xoong), else one.
    const squeezed = foldText(text).replace(/([a-z])\1{2,}/g, (_, c: string) => ('uoe'.includes(c) ? c + c : c));
    let out = squeezed
      .split(' ')
      .map((w) => this.single.get(w) ?? w)
      .join(' ');
    for (const [re, long] of this.multi) out = out.replace(re, long);
    return out;
  }
}

/** True when the normalised message contains one of the phrases, word for word. */
export function containsPhrase(normalized: string, phrases: readonly string[]): boolean {
  const padded = ` ${normalized} `;
  return phrases.some((p) => p !== '' && padded.includes(` ${p} `));
}
