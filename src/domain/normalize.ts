import { foldText } from './text.js';

/** A message as normalised words, with the sentence and the clause (between commas) of each. */
export interface NormalizedWords {
  words: string[];
  sentences: number[];
  clauses: number[];
}

export interface TokenizeOptions {
  /** Words (NFC, lower case, with their diacritics) kept as typed instead of folded ("chạy" stays apart from "cháy"). */
  keep?: ReadonlySet<string>;
  /** Put this token for a capitalised word inside a sentence (a name: "Nguyễn Văn Cứu"), unless the text is in capitals. */
  nameToken?: string;
}

/** Runs of letters, marks and digits: what foldText keeps as one word (marks never split a word). */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const SENTENCE_BREAK = /[.!?;\n\r…]/;
const CLAUSE_BREAK = /[,:"“”()–-]/;
const WORD_CACHE_MAX = 50_000;

/**
 * Normalises a typed message for matching: diacritics and case folded (đ→d), stretched letters
 * shortened ("cuuuu" → "cuu", "chayyy" → "chay"), and chat abbreviations expanded ("ko dc" →
 * "khong duoc", "cmnd" → "cccd"). The abbreviation table is data from locales/, not code.
 * Words repeat from message to message, so each typed word's normal form is cached: the same
 * result as folding the whole text, at a fraction of the cost.
 */
export class MessageNormalizer {
  private readonly single = new Map<string, string>();
  private readonly multi: [string, RegExp, string][] = [];
  /** Words of the table's expansions: kept as they are ("cccd" must not be squeezed to "cd"). */
  private readonly known = new Set<string>();
  private readonly cache = new Map<string, string>();

  constructor(abbreviations: Record<string, string>) {
    for (const [short, long] of Object.entries(abbreviations)) {
      const key = foldText(short);
      for (const w of foldText(long).split(' ')) this.known.add(w);
      if (key.includes(' ')) this.multi.push([key, new RegExp(`(^| )${key}(?= |$)`, 'g'), `$1${foldText(long)}`]);
      else this.single.set(key, foldText(long));
    }
  }

  normalize(text: string): string {
    const parts: string[] = [];
    WORD.lastIndex = 0;
    for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
      const w = this.word(m[0]);
      if (w !== '') parts.push(w);
    }
    return this.expandMulti(parts.join(' '));
  }

  /**
   * The normalised words of a message with the sentence and clause each is in (the breaks are
   * the punctuation normalising removes), for rules that must not run across a sentence.
   */
  tokenize(text: string, options: TokenizeOptions = {}): NormalizedWords {
    const out: NormalizedWords = { words: [], sentences: [], clauses: [] };
    const names = options.nameToken !== undefined && hasNames(text);
    let sentence = 0;
    let clause = 0;
    let pending: string[] = [];
    const flush = () => {
      if (pending.length === 0) return;
      const words = this.multi.length > 0 ? this.expandMulti(pending.join(' ')).split(' ') : pending;
      for (const w of words) {
        out.words.push(w);
        out.sentences.push(sentence);
        out.clauses.push(clause);
      }
      pending = [];
    };
    let prevEnd = 0;
    let first = true;
    WORD.lastIndex = 0;
    for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
      const raw = m[0];
      const gap = text.slice(prevEnd, m.index);
      prevEnd = m.index + raw.length;
      const newSentence = SENTENCE_BREAK.test(gap);
      const newClause = newSentence || CLAUSE_BREAK.test(gap);
      if (!first && newClause) {
        flush();
        if (newSentence) sentence++;
        clause++;
      }
      const atStart = first || newClause;
      first = false;
      // A kept or masked word is its own token: it must not join an abbreviation either.
      let special: string | undefined;
      if (names && !atStart && isCapitalised(raw)) special = options.nameToken;
      else if (options.keep !== undefined && options.keep.size > 0 && hasNonAscii(raw)) {
        const lower = raw.normalize('NFC').toLowerCase();
        if (options.keep.has(lower)) special = lower;
      }
      if (special !== undefined) {
        flush();
        out.words.push(special);
        out.sentences.push(sentence);
        out.clauses.push(clause);
        continue;
      }
      const w = this.word(raw);
      if (w !== '') for (const part of w.split(' ')) pending.push(part);
    }
    flush();
    return out;
  }

  /** One typed word, folded, squeezed and expanded (possibly into several words); cached. */
  private word(raw: string): string {
    const hit = this.cache.get(raw);
    if (hit !== undefined) return hit;
    const w = foldText(raw)
      .split(' ')
      // A known word first ("cccd" must not lose its repeated c), then the squeezed form ("khongggg").
      .map((f) => this.single.get(f) ?? (this.known.has(f) ? f : (this.single.get(squeeze(f)) ?? squeeze(f))))
      .filter((f) => f !== '')
      .join(' ');
    if (this.cache.size >= WORD_CACHE_MAX) this.cache.clear();
    this.cache.set(raw, w);
    return w;
  }

  private expandMulti(text: string): string {
    let out = text;
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

function isCapitalised(word: string): boolean {
  const a = word.charAt(0);
  const b = word.charAt(1);
  return a !== a.toLowerCase() && b !== '' && b !== b.toUpperCase();
}

/** Some capitals, but not a text typed in capitals ("CHÁY NHÀ" has no names to find). */
function hasNames(text: string): boolean {
  let upper = 0;
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const lower = ch.toLowerCase();
    if (lower === ch.toUpperCase()) continue;
    letters++;
    if (lower !== ch) upper++;
  }
  return upper > 0 && upper * 2 <= letters;
}

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return true;
  return false;
}
