import { foldText } from './text.js';

/** A message as normalised words, with the sentence and the clause (between commas) of each. */
export interface NormalizedWords {
  words: string[];
  sentences: number[];
  clauses: number[];
}

export interface TokenizeOptions {
  /**
   * Words (NFC, lower case, as typed) kept instead of folded and expanded: "chạy" stays apart
   * from "cháy", "túi" and "tui" from "tôi".
   */
  keep?: ReadonlySet<string>;
  /** Put this token for a capitalised word inside a sentence (a name: "ông Nguyễn Văn Cứu"), unless the text is in capitals. */
  nameToken?: string;
  /** Folded family names: a short text of capitalised words that starts with one is a name, all of it ("Trần Thị Cháy"). */
  surnames?: ReadonlySet<string>;
}

interface Scanned {
  raws: string[];
  breaks: number[];
  capitalised: number;
  lettered: number;
  shouted: number;
}

/** Runs of letters, marks and digits: what foldText keeps as one word (marks never split a word). */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const SENTENCE_BREAK = /[.!?;\n\r…]/;
const CLAUSE_BREAK = /[,:"“”()–-]/;
const WORD_CACHE_MAX = 50_000;
const MAX_NAME_WORDS = 5;
/** One Vietnamese syllable, folded: onset, one to three vowels, coda ("nghieng", "chay", "cuu"). */
const SYLLABLE = /^(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|nh|ng|[cmnpt])?$/;
const RUN_TOGETHER = /^[a-z]{4,24}$/;
const VOWEL = /^[aeiouy]/;
/** A run-together word is split into at most this many words ("chaynharoi" → "chay nha roi"). */
const MAX_PARTS = 4;

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
  /** Per set of kept words: each typed word, as kept (or null when it is not one of them). */
  private readonly keptCache = new WeakMap<ReadonlySet<string>, Map<string, string | null>>();

  /**
   * `lexicon`: the normalised words the unit's phrases use, with how often. With it, a word typed
   * without its spaces ("chaynha cuuvoi", "lamcccd") that is no word of the lexicon is read as the
   * lexicon's words it is made of, syllable by syllable ("chay nha cuu voi", "lam cccd").
   */
  constructor(
    abbreviations: Record<string, string>,
    private readonly lexicon?: ReadonlyMap<string, number>,
  ) {
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
    return this.build(this.scan(text), options);
  }

  /**
   * The message's words twice from one reading of it: with `options` (for the emergency rule)
   * and plain, as `tokenize(text)` gives them (for the model and the request rules).
   */
  tokenizePair(text: string, options: TokenizeOptions): { marked: NormalizedWords; plain: NormalizedWords } {
    const scanned = this.scan(text);
    return { marked: this.build(scanned, options), plain: this.build(scanned, {}) };
  }

  /** The typed words, the break before each and how they are capitalised: names need the whole text's capitals. */
  private scan(text: string): Scanned {
    const raws: string[] = [];
    const breaks: number[] = []; // 0 none, 1 clause, 2 sentence
    let prevEnd = 0;
    let capitalised = 0;
    let lettered = 0;
    let shouted = 0;
    WORD.lastIndex = 0;
    for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
      const raw = m[0];
      const gap = raws.length === 0 ? '' : text.slice(prevEnd, m.index);
      prevEnd = m.index + raw.length;
      raws.push(raw);
      breaks.push(gap === ' ' || gap === '' ? 0 : SENTENCE_BREAK.test(gap) ? 2 : CLAUSE_BREAK.test(gap) ? 1 : 0);
      // Only words inside a sentence count: a capital at its start says nothing.
      const c = raw.charCodeAt(0);
      if (raws.length === 1 || breaks[breaks.length - 1] !== 0 || (c >= 48 && c <= 57)) continue;
      lettered++;
      // Most words start with a plain lower-case letter: neither capitalised nor in capitals.
      if (c >= 97 && c <= 122) continue;
      if (isCapitalised(raw)) capitalised++;
      else if (isShouted(raw)) shouted++;
    }
    return { raws, breaks, capitalised, lettered, shouted };
  }

  private build({ raws, breaks, capitalised, lettered, shouted }: Scanned, options: TokenizeOptions): NormalizedWords {
    const out: NormalizedWords = { words: [], sentences: [], clauses: [] };
    // Names: capitalised words inside a sentence, unless the text is typed in capitals or with
    // every word capitalised ("Nhà Tôi Bị Cháy"; its first word too, unlike "ấp Cây Cháy").
    const titled = raws.length > 0 && (isCapitalised(raws[0]!) || isShouted(raws[0]!)) && (capitalised + shouted) * 2 > lettered;
    const names = options.nameToken !== undefined && capitalised > 0 && !titled;
    // "Trần Thị Cháy": every word capitalised and the first a family name, as a form's answer is.
    if (options.nameToken !== undefined && options.surnames !== undefined && raws.length >= 2 && raws.length <= MAX_NAME_WORDS && isCapitalised(raws[0]!)) {
      if (capitalised === lettered && options.surnames.has(this.word(raws[0]!))) {
        return { words: raws.map(() => options.nameToken!), sentences: raws.map(() => 0), clauses: raws.map(() => 0) };
      }
    }
    const keep = options.keep !== undefined && options.keep.size > 0 ? options.keep : undefined;
    let keptCache = keep === undefined ? undefined : this.keptCache.get(keep);
    if (keep !== undefined && keptCache === undefined) this.keptCache.set(keep, (keptCache = new Map()));
    let sentence = 0;
    let clause = 0;
    const pending: string[] = [];
    for (let i = 0; i < raws.length; i++) {
      const raw = raws[i]!;
      const brk = breaks[i]!;
      if (brk > 0) {
        this.flush(pending, out, sentence, clause);
        if (brk === 2) sentence++;
        clause++;
      }
      // A kept or masked word is its own token: it must not join an abbreviation either.
      let special: string | undefined;
      if (names && i > 0 && brk === 0 && isCapitalised(raw)) special = options.nameToken;
      else if (keep !== undefined) special = this.kept(raw, keep, keptCache!);
      if (special !== undefined) {
        this.flush(pending, out, sentence, clause);
        pushWord(out, special, sentence, clause);
        continue;
      }
      const w = this.word(raw);
      if (w === '') continue;
      if (w.includes(' ')) for (const part of w.split(' ')) pending.push(part);
      else pending.push(w);
    }
    this.flush(pending, out, sentence, clause);
    return out;
  }

  /** The pending words into `out`, multi-word abbreviations expanded; empties `pending`. */
  private flush(pending: string[], out: NormalizedWords, sentence: number, clause: number): void {
    if (pending.length === 0) return;
    if (this.multi.length > 0 && pending.length > 1) for (const w of this.expandMulti(pending.join(' ')).split(' ')) pushWord(out, w, sentence, clause);
    else for (const w of pending) pushWord(out, w, sentence, clause);
    pending.length = 0;
  }

  /** The typed word as one of `keep` (NFC, lower case), or undefined; `cache` is that set's. */
  private kept(raw: string, keep: ReadonlySet<string>, cache: Map<string, string | null>): string | undefined {
    let hit = cache.get(raw);
    if (hit === undefined) {
      const lower = hasNonAscii(raw) ? raw.normalize('NFC').toLowerCase() : raw.toLowerCase();
      hit = keep.has(lower) ? lower : null;
      if (cache.size >= WORD_CACHE_MAX) cache.clear();
      cache.set(raw, hit);
    }
    return hit ?? undefined;
  }

  /** One typed word, folded, squeezed and expanded (possibly into several words); cached. */
  private word(raw: string): string {
    const hit = this.cache.get(raw);
    if (hit !== undefined) return hit;
    const w = foldText(raw)
      .split(' ')
      // A known word first ("cccd" must not lose its repeated c), then the squeezed form ("khongggg").
      .map((f) => this.single.get(f) ?? (this.known.has(f) ? f : (this.single.get(squeeze(f)) ?? this.unjoin(f))))
      .filter((f) => f !== '')
      .join(' ');
    if (this.cache.size >= WORD_CACHE_MAX) this.cache.clear();
    this.cache.set(raw, w);
    return w;
  }

  /**
   * A word the lexicon does not know, made of two to four of its syllables ("chaynha"), as those
   * words ("chay nha"); fewest words first, then the most used. Anything else is left as it is:
   * one syllable, names, codes and most English words do not parse as syllables the lexicon holds.
   */
  /** The word squeezed, or split as typed ("lamcccd") or once squeezed ("chayyynha"). */
  private unjoin(word: string): string {
    const whole = this.split(word);
    return whole !== word ? whole : this.split(squeeze(word));
  }

  private split(word: string): string {
    const lexicon = this.lexicon;
    // One syllable is one word, even one the lexicon does not hold ("hoai" is "hoài", not "ho ai").
    if (lexicon === undefined || !RUN_TOGETHER.test(word) || lexicon.has(word) || this.known.has(word) || SYLLABLE.test(word)) return word;
    // best[i]: the best split of the first i letters (fewest parts, then highest score).
    const best: ({ parts: string[]; score: number } | undefined)[] = [{ parts: [], score: 0 }];
    for (let i = 2; i <= word.length; i++) {
      for (let j = Math.max(0, i - 7); j <= i - 2; j++) {
        const before = best[j];
        if (before === undefined || before.parts.length >= MAX_PARTS) continue;
        const part = word.slice(j, i);
        const count = lexicon.get(part);
        if (count === undefined || !(SYLLABLE.test(part) || this.known.has(part))) continue;
        // A syllable without its consonant only starts a word ("chuan" is not "chu an", "root" not "ro ot").
        if (j > 0 && VOWEL.test(part)) continue;
        const cand = { parts: [...before.parts, part], score: before.score + Math.log(1 + count) };
        const cur = best[i];
        if (cur === undefined || cand.parts.length < cur.parts.length || (cand.parts.length === cur.parts.length && cand.score > cur.score)) best[i] = cand;
      }
    }
    const found = best[word.length];
    return found !== undefined && found.parts.length > 1 ? found.parts.join(' ') : word;
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

/**
 * Normalised phrases looked up by their first word: which of them a tokenized message holds,
 * word for word and inside one clause. For long lists, where containsPhrase would scan each.
 */
export class PhraseIndex {
  private readonly byFirst = new Map<string, string[][]>();

  constructor(phrases: readonly string[]) {
    for (const p of phrases) {
      const words = p.split(' ').filter((w) => w !== '');
      if (words.length === 0) continue;
      const list = this.byFirst.get(words[0]!) ?? [];
      list.push(words);
      this.byFirst.set(words[0]!, list);
    }
  }

  get size(): number {
    return this.byFirst.size;
  }

  /** True when the message holds one of the phrases. */
  test({ words, clauses }: NormalizedWords): boolean {
    for (let i = 0; i < words.length; i++) {
      const candidates = this.byFirst.get(words[i]!);
      if (candidates === undefined) continue;
      for (const phrase of candidates) {
        if (i + phrase.length > words.length) continue;
        let ok = true;
        for (let k = 1; k < phrase.length && ok; k++) ok = words[i + k] === phrase[k] && clauses[i + k] === clauses[i];
        if (ok) return true;
      }
    }
    return false;
  }
}

/** True when the normalised message contains one of the phrases, word for word. */
export function containsPhrase(normalized: string, phrases: readonly string[]): boolean {
  const padded = ` ${normalized} `;
  return phrases.some((p) => p !== '' && padded.includes(` ${p} `));
}

function pushWord(out: NormalizedWords, w: string, sentence: number, clause: number): void {
  out.words.push(w);
  out.sentences.push(sentence);
  out.clauses.push(clause);
}

function isCapitalised(word: string): boolean {
  const a = word.charAt(0);
  const b = word.charAt(1);
  return a !== a.toLowerCase() && (b === '' || b !== b.toUpperCase());
}

function isShouted(word: string): boolean {
  return word.length > 1 && word !== word.toLowerCase() && word === word.toUpperCase();
}

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return true;
  return false;
}
