import { type MessageNormalizer, type NormalizedWords, PhraseIndex } from './normalize.js';
import { type EmergencyCall, type TriageContext, EmergencyTriage, type TriageData, type TriageResult } from './triage.js';

export { EMERGENCY_CALLS, type EmergencyCall, type TriageContext, type TriageData, type TriageResult } from './triage.js';

/**
 * `scam`: someone claiming to be the police asks for an OTP code, a password, money or an app
 * (the bot warns: police never ask for those by phone or chat). `emergency` comes with `call`.
 * `cccd_elsewhere`: someone living in another province asks how to get a CCCD or VNeID where they
 * live now (read by a rule, see ElsewhereRule; the home commune's sessions are not for them).
 */
export const INTENTS = ['home_cccd', 'ride', 'schedule', 'vneid', 'cccd_elsewhere', 'fire', 'emergency', 'scam', 'status', 'cancel', 'human', 'greeting', 'other'] as const;
export type Intent = (typeof INTENTS)[number];

export interface IntentResult {
  intent: Intent;
  /** 0–1: how sure the classifier is of `intent`. */
  confidence: number;
  /** Every label, most likely first, with its probability. */
  ranked: { intent: Intent; p: number }[];
  /** Set whenever `intent` is `emergency`: the numbers to call, most important first (['114', '115']: a fire with an unconscious person). */
  call?: EmergencyCall[];
}

export interface IntentData {
  /** Training phrases per label. */
  training: Partial<Record<Intent, string[]>>;
  /**
   * The emergency rule's phrases (per number, negatives, hypothetical words…, see TriageData). A
   * plain list is read as fire-and-rescue (114) phrases, as before there were three numbers.
   */
  emergency: Partial<TriageData> | string[];
  /** Words one of which a message must contain to be read as that label (a request is never guessed from nothing). */
  evidence: Partial<Record<Intent, string[]>>;
  /** The scam rule (see ScamRule); without it only the model reads scams. */
  scam?: ScamRule;
  /** The living-elsewhere rule (see ElsewhereRule); without it nobody is read as living elsewhere. */
  elsewhere?: ElsewhereRule;
}

/**
 * Someone who lives in another province asking about their own card: a `where` phrase ("đang ở
 * tỉnh khác", "tạm trú") and a `what` ("căn cước", "VNeID"), and no `not` phrase, which names
 * someone at home ("cho mẹ", "tại nhà": a relative far away filing for them is a home visit).
 */
export interface ElsewhereRule {
  where: string[];
  what: string[];
  not: string[];
}

/**
 * A scam report or question: someone (a caller, a message, "a police officer") asks for a code,
 * a password, money or an app. `always` phrases say so alone ("giả danh công an", "bị lừa");
 * otherwise the message needs a `who` ("có người gọi", "nhắn tin") and a `what` ("mã OTP",
 * "chuyển tiền"). "vneid ko nhan dc otp" has a `what` but no `who`: a VNeID question.
 */
export interface ScamRule {
  always: string[];
  who: string[];
  what: string[];
}

/** Below this the message is `other`: we do not know what it is about. */
export const UNKNOWN_BELOW = 0.3;
/** Below this (and above UNKNOWN_BELOW) the bot asks which of the two likeliest was meant. */
export const CLARIFY_BELOW = 0.6;
/** Emergency wins when it is this close to the best label. */
const EMERGENCY_TIE = 0.1;
const ALPHA = 0.1;
/** How sure a message the scam rule matched is read as a scam (at least). */
const SCAM_RULE_CONFIDENCE = 0.9;
/** How sure a message the living-elsewhere rule matched is read as that. */
const ELSEWHERE_RULE_CONFIDENCE = 0.9;
/** Scales the per-feature average log-likelihood into a softmax that reads as a probability. */
const SHARPNESS = 6;
const WORD_CACHE_MAX = 50_000;

/**
 * Multinomial naive Bayes over word unigrams, word bigrams and character 3–4-grams of the
 * normalised message, trained at start from the phrases in locales/. Character n-grams carry
 * typos and run-together words ("lamcccd"); words and bigrams carry meaning. Measured on the
 * held-out set in test/intents (see `npm run bench:intents`); the emergency rule (triage.ts)
 * runs first and wins, and a scam rule (someone asking for a code, money or an app) next.
 */
export class IntentClassifier {
  private readonly vocab: Map<string, number>[] = [new Map(), new Map(), new Map()];
  private vocabSize = 0;
  private readonly wordCache = new Map<string, WordFeatures>();
  /** Feature id × label, flat: one message reads a few hundred contiguous numbers. */
  private weights = new Float64Array(0);
  private readonly labels: Intent[];
  private readonly emergencyRule: EmergencyTriage;
  private readonly evidence = new Map<Intent, PhraseIndex>();
  private readonly scam: { always: PhraseIndex; who: PhraseIndex; what: PhraseIndex };
  private readonly elsewhere: { where: PhraseIndex; what: PhraseIndex; not: PhraseIndex };

  constructor(private readonly normalizer: MessageNormalizer, data: IntentData) {
    const norm = (list: string[] | undefined) => (list ?? []).map((w) => normalizer.normalize(w)).filter(Boolean);
    this.scam = { always: new PhraseIndex(norm(data.scam?.always)), who: new PhraseIndex(norm(data.scam?.who)), what: new PhraseIndex(norm(data.scam?.what)) };
    this.elsewhere = { where: new PhraseIndex(norm(data.elsewhere?.where)), what: new PhraseIndex(norm(data.elsewhere?.what)), not: new PhraseIndex(norm(data.elsewhere?.not)) };
    this.labels = INTENTS.filter((l) => (data.training[l]?.length ?? 0) > 0);
    this.emergencyRule = new EmergencyTriage(normalizer, Array.isArray(data.emergency) ? { calls: { '114': data.emergency } } : data.emergency);
    for (const [label, words] of Object.entries(data.evidence)) {
      this.evidence.set(label as Intent, new PhraseIndex(norm(words)));
    }
    this.train(data.training);
  }

  private train(training: IntentData['training']): void {
    const counts: Map<number, number>[] = this.labels.map(() => new Map());
    const totals = this.labels.map(() => 0);
    this.labels.forEach((label, li) => {
      for (const phrase of training[label] ?? []) {
        forEachFeature(this.normalizer.normalize(phrase), (kind, f) => {
          let id = this.vocab[kind]!.get(f);
          if (id === undefined) this.vocab[kind]!.set(f, (id = this.vocabSize++));
          counts[li]!.set(id, (counts[li]!.get(id) ?? 0) + 1);
          totals[li]! += 1;
        });
      }
    });
    const v = this.vocabSize;
    const l = this.labels.length;
    this.weights = new Float64Array(v * l);
    // Counts are scaled to one common total: a label with fewer phrases must not win every
    // message made of words it has never seen (plain naive Bayes favours small labels there).
    const mass = totals.reduce((a, b) => a + b, 0) / totals.length;
    const denom = Math.log(mass + ALPHA * v);
    const unseen = Math.log(ALPHA) - denom;
    this.weights.fill(unseen);
    this.labels.forEach((_, li) => {
      const scale = mass / totals[li]!;
      for (const [id, c] of counts[li]!) this.weights[id * l + li] = Math.log(c * scale + ALPHA) - denom;
    });
  }

  /** The normalised form of a message ("ko dc" → "khong duoc"), for matching anything typed. */
  normalize(text: string): string {
    return this.normalizer.normalize(text);
  }

  /**
   * The emergency rule alone: fast, exact phrases, used on every message even in the middle of a
   * form (a name or an address cannot raise an alarm by a guess). The numbers to call, most
   * important first, or undefined when the message is not an emergency.
   */
  triage(text: string, context?: TriageContext): EmergencyCall[] | undefined {
    return this.emergencyRule.calls(text, context);
  }

  /** The emergency rule with its reasons: whether something happens now, which phrases decided. */
  explainTriage(text: string, context?: TriageContext): TriageResult {
    return this.emergencyRule.run(text, context);
  }

  /** The phrase rule alone: `triage(text) !== undefined`. */
  isEmergencyPhrase(text: string): boolean {
    return this.triage(text) !== undefined;
  }

  /**
   * The emergency rule first (an emergency whatever else the message says, with its numbers);
   * then the scam rule; then the model, which may read an emergency only where the rule saw
   * emergency words it did not cancel (slang, a question, the past), and then with those
   * words' numbers.
   */
  classify(text: string): IntentResult {
    // One reading of the text: the words the emergency rule reads, and the plain words (with
    // their clauses for the phrase rules, and joined for the model).
    const { result: triage, plain: words } = this.emergencyRule.runWithWords(text);
    if (triage.calls !== undefined) {
      return { intent: 'emergency', confidence: 1, ranked: [{ intent: 'emergency', p: 1 }], call: triage.calls };
    }
    const normalized = words.words.join(' ');
    const scores = new Float64Array(this.labels.length);
    let known = 0;
    let total = 0;
    const add = (id: number) => {
      const base = id * scores.length;
      for (let li = 0; li < scores.length; li++) scores[li]! += this.weights[base + li]!;
    };
    forEachWord(normalized, (word, pair) => {
      const w = this.wordFeatures(word);
      total += w.count + (pair !== undefined ? 1 : 0);
      known += w.known;
      for (let li = 0; li < scores.length; li++) scores[li]! += w.sums[li]!;
      const pairId = pair !== undefined ? this.vocab[1]!.get(pair) : undefined;
      if (pairId !== undefined) {
        known++;
        add(pairId);
      }
    });
    if (known === 0) return { intent: 'other', confidence: 0, ranked: [{ intent: 'other', p: 0 }] };

    // Averaged over every feature, known or not: unseen ones weigh the same for every label, so
    // a message mostly made of words we never saw comes out unsure instead of confidently wrong.
    let max = -Infinity;
    for (let li = 0; li < scores.length; li++) max = Math.max(max, (scores[li]! / total) * SHARPNESS);
    let sum = 0;
    const probs = Array.from(scores, (s) => {
      const e = Math.exp((s / total) * SHARPNESS - max);
      sum += e;
      return e;
    });
    // The model may read an emergency only where the rule saw words about one (a hint) and did
    // not cancel them as slang, a question or the past.
    const emergencyPossible = triage.hinted.length > 0;
    // Evidence and the scam rule are phrases: none may run across a comma ("gần chợ, đi chợ" is not "chở đi").
    const ranked = this.labels
      .map((intent, li) => ({ intent, p: probs[li]! / sum }))
      .filter((r) => (r.intent === 'emergency' ? emergencyPossible : this.hasEvidence(r.intent, words)))
      .sort((a, b) => b.p - a.p);
    if (this.isScam(words)) {
      const p = Math.max(SCAM_RULE_CONFIDENCE, ranked.find((r) => r.intent === 'scam')?.p ?? 0);
      return { intent: 'scam', confidence: p, ranked: [{ intent: 'scam', p }, ...ranked.filter((r) => r.intent !== 'scam')] };
    }
    if (this.livesElsewhere(words)) {
      const p = ELSEWHERE_RULE_CONFIDENCE;
      return { intent: 'cccd_elsewhere', confidence: p, ranked: [{ intent: 'cccd_elsewhere', p }, ...ranked] };
    }
    const best = ranked[0];
    if (best === undefined || best.p < UNKNOWN_BELOW) return { intent: 'other', confidence: 1 - (best?.p ?? 0), ranked };
    const emergency = ranked.find((r) => r.intent === 'emergency');
    if (emergency && emergency.p >= UNKNOWN_BELOW && emergency.p >= best.p - EMERGENCY_TIE) {
      return { intent: 'emergency', confidence: emergency.p, ranked, call: triage.hinted };
    }
    return { intent: best.intent, confidence: best.p, ranked };
  }

  /**
   * A word's features: how many it has, how many the model knows, and their weights summed per
   * label (a word's features always come together); words repeat, so this is cached.
   */
  private wordFeatures(word: string): WordFeatures {
    const hit = this.wordCache.get(word);
    if (hit) return hit;
    const l = this.labels.length;
    const sums = new Float64Array(l);
    let count = 0;
    let known = 0;
    forEachWordFeature(word, (kind, f) => {
      count++;
      const id = this.vocab[kind]!.get(f);
      if (id === undefined) return;
      known++;
      for (let li = 0; li < l; li++) sums[li]! += this.weights[id * l + li]!;
    });
    if (this.wordCache.size >= WORD_CACHE_MAX) this.wordCache.clear();
    const entry = { sums, count, known };
    this.wordCache.set(word, entry);
    return entry;
  }

  /** The scam rule: an `always` phrase, or someone (`who`) asking for a code, money or an app (`what`). */
  isScam(text: string | NormalizedWords): boolean {
    const words = typeof text === 'string' ? this.normalizer.tokenize(text) : text;
    const { always, who, what } = this.scam;
    return always.test(words) || (what.test(words) && who.test(words));
  }

  /** The living-elsewhere rule: where they live now, about their own card, nobody else named. */
  livesElsewhere(text: string | NormalizedWords): boolean {
    const words = typeof text === 'string' ? this.normalizer.tokenize(text) : text;
    const { where, what, not } = this.elsewhere;
    return where.test(words) && what.test(words) && !not.test(words);
  }

  private hasEvidence(label: Intent, words: NormalizedWords): boolean {
    const index = this.evidence.get(label);
    return index === undefined || index.test(words);
  }
}

/**
 * Calls `visit` with each feature of a normalised message: each word, its character 3- and
 * 4-grams (with the word's edges, " nha "), and each pair of neighbouring words. Each kind is its
 * own namespace (the word "nha" and the characters "nha" are different features).
 */
export function forEachFeature(normalized: string, visit: (kind: FeatureKind, f: string) => void): void {
  forEachWord(normalized, (word, pair) => {
    forEachWordFeature(word, visit);
    if (pair !== undefined) visit(1, pair);
  });
}

/** Each word, and the pair it ends (sliced from the message, not concatenated). */
function forEachWord(normalized: string, visit: (word: string, pair: string | undefined) => void): void {
  if (normalized === '') return;
  let start = 0;
  let prevStart = -1;
  for (let i = 0; i <= normalized.length; i++) {
    if (i < normalized.length && normalized.charCodeAt(i) !== 32) continue;
    visit(normalized.slice(start, i), prevStart >= 0 ? normalized.slice(prevStart, i) : undefined);
    prevStart = start;
    start = i + 1;
  }
}

function forEachWordFeature(word: string, visit: (kind: FeatureKind, f: string) => void): void {
  visit(0, word);
  const padded = ` ${word} `;
  for (let n = 3; n <= 4; n++) for (let i = 0; i + n <= padded.length; i++) visit(2, padded.slice(i, i + n));
}

interface WordFeatures {
  /** The weights of the word's known features, summed per label. */
  sums: Float64Array;
  /** How many features the word has, known or not. */
  count: number;
  /** How many of them the model knows. */
  known: number;
}

/** 0 word, 1 word pair, 2 character n-gram. */
export type FeatureKind = 0 | 1 | 2;
