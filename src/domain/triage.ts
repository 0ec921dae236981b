import type { MessageNormalizer, NormalizedWords, TokenizeOptions } from './normalize.js';

/** Vietnam's emergency numbers: 113 police, 114 fire and rescue, 115 ambulance. */
export type EmergencyCall = '113' | '114' | '115';

/**
 * Most important first when several apply: getting people out of fire, water or rubble, then
 * medical care, then the police (a fire with an unconscious person is 114 then 115).
 */
export const EMERGENCY_CALLS: readonly EmergencyCall[] = ['114', '115', '113'];

/**
 * The phrase data of the emergency rule, all from locales/ (the unit extends it, no developer
 * needed). Every phrase is normalised like a message; `{group}` stands for any phrase of that
 * word group ("{now} {fire}" is "dang chay", "vua boc chay", …); a leading `^` or trailing `$`
 * ties a phrase to the start or end of a clause ("^chay$": the whole clause is "cháy!"); "a … b"
 * allows a few words between a and b in the same clause; "a …, b" lets b come later in the same
 * sentence, past commas ("ăn nấm rừng, giờ nôn ói": "ăn nấm …, nôn ói"); a leading `!` keeps a
 * phrase whatever negative overlaps it (a crash is no crime, but "!xe tông … bỏ chạy" is: the
 * negatives about crashes must not cancel it); "=cháy" matches only "cháy" typed with its
 * diacritics (for a word of `distinct`: "xe khách cháy" is a fire, "xe khach chay" may be a bus
 * leaving).
 */
export interface TriageData {
  /** Per number: phrases that mean that emergency is happening now ("đang cháy", "không thở"). */
  calls: Partial<Record<EmergencyCall, string[]>>;
  /**
   * Per number: events that are an emergency unless the message speaks of the past, of a lasting
   * condition or of a request ("bị đột quỵ" now, but "bị đột quỵ năm ngoái, muốn làm căn cước").
   */
  conditions: Partial<Record<EmergencyCall, string[]>>;
  /** Cries for help with no number of their own ("cứu với"): 114 unless the message says more. */
  help: string[];
  /** Per number: cries for help that name it ("cấp cứu với": 115); like `help`, `notHelp` cancels them. */
  helpFor?: Partial<Record<EmergencyCall, string[]>>;
  /**
   * Words after or before which, in the same sentence, a cry for help is about something else: a
   * password, an app, the network, a car that will not start ("cứu em với, quên mật khẩu vneid",
   * "ai cứu net giùm"). They cancel cries only (`help`, `helpFor`), never an emergency phrase.
   */
  notHelp?: string[];
  /** Word groups for `{group}` in phrases. */
  words: Record<string, string[]>;
  /**
   * Phrases that cancel any phrase they overlap without being inside it: "cháy hàng" (sold out)
   * cancels "cháy", "bình chữa cháy" cancels "cháy", "điện thoại" cancels "giật điện".
   */
  not: string[];
  /** Per number: negatives that cancel only that number's phrases ("chảy máu" is not the fire in "bị cháy"). */
  notFor: Partial<Record<EmergencyCall, string[]>>;
  /**
   * Per number: words saying that number's part is over ("đã kéo ra rồi", "đã vớt lên bờ" for
   * 114): that number's conditions are dropped when the message still needs another number ("bị
   * điện giật, đã tách ra rồi nhưng không thở" is 115 alone). Never an emergency phrase (`calls`).
   */
  doneFor?: Partial<Record<EmergencyCall, string[]>>;
  /** Words after which, in the same sentence, an emergency is a question ("khi có cháy", "nếu bị điện giật"). */
  hypothetical: string[];
  /** Phrases before which, in the same clause (between commas), an emergency is a question ("… thì phải làm gì"). */
  hypotheticalAfter: string[];
  /**
   * Where the hypothetical or past words mean something else ("khi nãy", "khi nào", "có dấu
   * hiệu"; "từ hôm qua": since yesterday, and still).
   */
  notHypothetical: string[];
  /** Past, lasting conditions and requests: they cancel `conditions` (not `calls`) anywhere in the message. */
  unless: string[];
  /** Words that keep an emergency whatever `hypothetical` and `unless` say ("khẩn cấp", "ngay bây giờ"). */
  urgent: string[];
  /** Per number: any word about it, to pick the number when only the model or a cry for help said "emergency". */
  hints: Partial<Record<EmergencyCall, string[]>>;
  /**
   * Words typed WITH diacritics whose folded form is an emergency word but that mean something
   * else ("chạy" run, not "cháy" fire; "dưới" below, not "đuối" drowning): kept apart from it.
   */
  distinct: string[];
  /** Family names: a short capitalised text starting with one is a person's name (a form's answer), never an emergency. */
  surnames: string[];
}

/** What the message answers, when the caller knows (a form question). */
export interface TriageContext {
  /**
   * The message describes a lasting condition (the form's "how does the person get about?"):
   * conditions ("bị tai biến", "ngã gãy chân") are then not emergencies; things happening now
   * ("đang cháy", "không thở", "cứu với") still are.
   */
  lasting?: boolean;
}

export interface TriageResult {
  /** The numbers to call, most important first; undefined when this is not an emergency. */
  calls: EmergencyCall[] | undefined;
  /** True when something happening now was said (not only a condition that the context can cancel). */
  acute: boolean;
  /** True when emergency words were seen but cancelled (slang, a question, the past): not an emergency. */
  cancelled: boolean;
  /** Numbers whose words appear (not cancelled), for a model's "emergency" that no phrase confirmed. */
  hinted: EmergencyCall[];
  /** The phrases that decided, normalised (for `npm run classify` and the duty chat). */
  matched: string[];
}

const enum Kind {
  Call,
  Condition,
  Help,
  Not,
  If,
  IfAfter,
  NotIf,
  Unless,
  Urgent,
  Hint,
  NotHelp,
  Done,
}

const NEGATABLE = new Set([Kind.Call, Kind.Condition, Kind.Help, Kind.Urgent, Kind.Hint]);

interface Entry {
  kind: Kind;
  call: EmergencyCall | undefined;
  phrase: string;
  atStart: boolean;
  atEnd: boolean;
  /** "!…": no negative cancels it. */
  strong: boolean;
  /** "lửa … lan": the words that must follow within GAP words, in the same clause (each way to spell them, by first word). */
  rest: Tail | undefined;
  /** "ăn nấm …, nôn ói": `rest` may follow within SENTENCE_GAP words, past commas, in the same sentence. */
  across: boolean;
}

/** The ways to say the words after a gap, by their first word (one look-up per word of the gap). */
type Tail = ReadonlyMap<string, readonly string[][]>;

interface TrieNode {
  next: Map<string, TrieNode>;
  ends: Entry[];
}

interface Match {
  start: number;
  end: number;
  sentence: number;
  /** Part of the sentence between commas (where the phrase starts). */
  clause: number;
  /** The clause of the phrase's last word (another clause only for "a …, b"). */
  endClause: number;
  /** "a …, b": where a ends and b starts (the words between are anyone's); else start and end. */
  headEnd: number;
  tailStart: number;
  entry: Entry;
}

/** "a … b": at most this many words between a and b. */
const GAP = 6;
/** "a …, b": at most this many words between a and b, past commas, in one sentence. */
const SENTENCE_GAP = 14;
/** Stands for a name in a message: matches no phrase. */
const NAME_TOKEN = '\u0000name';
const GAP_MARK = /\s(?:…|\.\.\.)(,?)\s/;
const MAX_EXPANSIONS = 5_000;

/**
 * The fast emergency rule, run on every typed message (also inside a form, so it is exact
 * phrases, never a guess): finds emergency phrases per number, drops those that a negative phrase
 * overlaps, that follow a hypothetical word in their sentence, or (for conditions) that the past
 * or a request explains, and names the numbers to call. A trie over normalised words: one pass,
 * a few map look-ups per word.
 */
export class EmergencyTriage {
  private readonly root: TrieNode = { next: new Map(), ends: [] };
  /** Words kept apart by their diacritics (NFC, lower case). */
  private readonly distinct: ReadonlySet<string>;
  /** The kept words that are plain ASCII ("tui"), by what they fold to ("toi"). */
  private readonly keptByFolded = new Map<string, string[]>();
  private readonly surnames: ReadonlySet<string>;

  constructor(
    private readonly normalizer: MessageNormalizer,
    data: Partial<TriageData>,
  ) {
    const words = data.words ?? {};
    this.distinct = new Set((data.distinct ?? []).map((w) => w.normalize('NFC').toLowerCase().trim()).filter((w) => w !== '' && !w.includes(' ')));
    this.surnames = new Set((data.surnames ?? []).map((w) => normalizer.normalize(w)).filter((w) => w !== ''));
    for (const w of this.distinct) {
      const folded = normalizer.normalize(w);
      const ascii = [...w].every((ch) => ch.charCodeAt(0) < 128);
      if (folded !== w && ascii) this.keptByFolded.set(folded, [...(this.keptByFolded.get(folded) ?? []), w]);
    }
    for (const call of EMERGENCY_CALLS) {
      for (const p of data.calls?.[call] ?? []) this.add(p, Kind.Call, call, words);
      for (const p of data.conditions?.[call] ?? []) this.add(p, Kind.Condition, call, words);
      for (const p of data.hints?.[call] ?? []) this.add(p, Kind.Hint, call, words);
      for (const p of data.notFor?.[call] ?? []) this.add(p, Kind.Not, call, words);
      for (const p of data.helpFor?.[call] ?? []) this.add(p, Kind.Help, call, words);
      for (const p of data.doneFor?.[call] ?? []) this.add(p, Kind.Done, call, words);
    }
    const plain: [string[] | undefined, Kind][] = [
      [data.help, Kind.Help],
      [data.not, Kind.Not],
      [data.hypothetical, Kind.If],
      [data.hypotheticalAfter, Kind.IfAfter],
      [data.notHypothetical, Kind.NotIf],
      [data.unless, Kind.Unless],
      [data.urgent, Kind.Urgent],
      [data.notHelp, Kind.NotHelp],
    ];
    for (const [list, kind] of plain) for (const p of list ?? []) this.add(p, kind, undefined, words);
  }

  /** The numbers to call for this message, or undefined when it is not an emergency. */
  calls(text: string, context: TriageContext = {}): EmergencyCall[] | undefined {
    return this.run(text, context).calls;
  }

  run(text: string, context: TriageContext = {}): TriageResult {
    return this.decide(this.tokenize(text), context);
  }

  /**
   * The rule and the message's plain words (`MessageNormalizer.tokenize(text)`, for the model),
   * from one reading of the text.
   */
  runWithWords(text: string, context: TriageContext = {}): { result: TriageResult; plain: NormalizedWords } {
    const { marked, plain } = this.normalizer.tokenizePair(text, this.options());
    return { result: this.decide(marked, context), plain };
  }

  private decide(tokens: NormalizedWords, context: TriageContext): TriageResult {
    const matches = this.find(tokens, tokens.sentences);
    if (matches.length === 0) return { calls: undefined, acute: false, cancelled: false, hinted: [], matched: [] };

    const nots = matches.filter((m) => m.entry.kind === Kind.Not);
    const notIfs = matches.filter((m) => m.entry.kind === Kind.NotIf);
    // Negatives cancel what they overlap: emergency phrases, hints and urgent words, not the
    // hypothetical or past words around them.
    const live = nots.length === 0 ? matches : matches.filter((m) => !NEGATABLE.has(m.entry.kind) || !nots.some((n) => cancels(n, m)));

    let urgent = false;
    let unless = context.lasting === true;
    const ifs: Match[] = [];
    const ifsAfter: Match[] = [];
    const hinted = new Set<EmergencyCall>();
    const positives: Match[] = [];
    const done = new Set<EmergencyCall>();
    // A cry for help about a password or a broken-down car is a figure of speech.
    const notHelpSentences = new Set(matches.filter((m) => m.entry.kind === Kind.NotHelp).map((m) => m.sentence));
    for (const m of live) {
      switch (m.entry.kind) {
        case Kind.Urgent:
          urgent = true;
          break;
        case Kind.Unless:
          if (!notIfs.some((n) => overlaps(n, m))) unless = true;
          break;
        case Kind.If:
          if (!notIfs.some((n) => overlaps(n, m))) ifs.push(m);
          break;
        case Kind.IfAfter:
          ifsAfter.push(m);
          break;
        case Kind.Hint:
          hinted.add(m.entry.call!);
          break;
        case Kind.Done:
          done.add(m.entry.call!);
          break;
        case Kind.Call:
        case Kind.Condition:
          positives.push(m);
          hinted.add(m.entry.call!);
          break;
        case Kind.Help:
          if (notHelpSentences.size > 0 && figurative(m, notHelpSentences, tokens.sentences)) break;
          positives.push(m);
          if (m.entry.call !== undefined) hinted.add(m.entry.call);
          break;
        default:
          break;
      }
    }
    const seen = matches.some((m) => m.entry.kind === Kind.Call || m.entry.kind === Kind.Condition || m.entry.kind === Kind.Help);
    // A question about an emergency ("khi có cháy thì làm gì") is guidance, unless it is urgent.
    const asked =
      urgent || (ifs.length === 0 && ifsAfter.length === 0)
        ? positives
        : positives.filter((m) => !ifs.some((h) => h.sentence === m.sentence && h.start < m.start) && !ifsAfter.some((h) => h.clause === m.endClause && m.end <= h.start));
    const acute = asked.some((m) => m.entry.kind !== Kind.Condition);
    // Conditions the past or a request explains ("bị đột quỵ năm ngoái, muốn làm căn cước") are
    // not emergencies, unless something is happening now as well.
    let kept = unless && !acute && !urgent ? asked.filter((m) => m.entry.kind !== Kind.Condition) : asked;
    // A number whose part is over ("đã kéo ra rồi") goes when its conditions were all it had and
    // another number is still needed.
    if (done.size > 0) kept = dropDone(kept, done);
    // The past or a request explains the words too: no hint for the model then.
    const hintList = unless && !acute && !urgent ? [] : EMERGENCY_CALLS.filter((c) => hinted.has(c));
    if (kept.length === 0) return { calls: undefined, acute: false, cancelled: seen, hinted: seen ? [] : hintList, matched: [] };

    const numbers = new Set<EmergencyCall>();
    for (const m of kept) if (m.entry.call !== undefined) numbers.add(m.entry.call);
    // Only a cry for help: the number comes from the rest of the message, else fire and rescue.
    if (numbers.size === 0) for (const c of hintList) numbers.add(c);
    if (numbers.size === 0) numbers.add('114');
    return {
      calls: EMERGENCY_CALLS.filter((c) => numbers.has(c)),
      acute: acute || urgent,
      cancelled: false,
      hinted: hintList,
      matched: [...new Set(kept.map((m) => (m.entry.rest === undefined ? m.entry.phrase : `${m.entry.phrase} …${m.entry.across ? ',' : ''} ${tokens.words.slice(m.tailStart, m.end).join(' ')}`)))],
    };
  }

  private tokenize(text: string): NormalizedWords {
    return this.normalizer.tokenize(text, this.options());
  }

  private options(): TokenizeOptions {
    return { keep: this.distinct, nameToken: NAME_TOKEN, surnames: this.surnames };
  }

  /** Every phrase in the message; a phrase never runs across a sentence, nor across a comma unless "a …, b". */
  private find({ words: tokens, clauses }: NormalizedWords, sentences: number[]): Match[] {
    const out: Match[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const c = clauses[i]!;
      let node = this.root.next.get(tokens[i]!);
      let j = i;
      while (node !== undefined) {
        j++;
        const clauseEnd = j >= tokens.length || clauses[j] !== c;
        for (const entry of node.ends) {
          if (entry.atStart && i > 0 && clauses[i - 1] === c) continue;
          if (entry.rest !== undefined) {
            const tail = followedBy(tokens, entry.across ? sentences : clauses, j, entry.rest, entry.across ? SENTENCE_GAP : GAP);
            if (tail === undefined) continue;
            const [tailStart, end] = tail;
            if (entry.atEnd && end < tokens.length && clauses[end] === clauses[end - 1]) continue;
            out.push({ start: i, end, sentence: sentences[i]!, clause: c, endClause: clauses[end - 1]!, headEnd: j, tailStart, entry });
            continue;
          }
          if (entry.atEnd && !clauseEnd) continue;
          out.push({ start: i, end: j, sentence: sentences[i]!, clause: c, endClause: c, headEnd: j, tailStart: i, entry });
        }
        if (clauseEnd) break;
        node = node.next.get(tokens[j]!);
      }
    }
    return out;
  }

  private add(phrase: string, kind: Kind, call: EmergencyCall | undefined, words: Record<string, string[]>): void {
    let p = phrase.trim();
    const strong = p.startsWith('!');
    if (strong) p = p.slice(1).trim();
    const atStart = p.startsWith('^');
    const atEnd = p.endsWith('$');
    if (atStart) p = p.slice(1);
    if (atEnd) p = p.slice(0, -1);
    // "a … b": a and b are expanded apart, each way to say b shared by every way to say a.
    const gap = GAP_MARK.exec(p);
    const head = gap === null ? p : p.slice(0, gap.index);
    const tail = gap === null ? undefined : p.slice(gap.index + gap[0].length);
    const across = gap !== null && gap[1] === ',';
    const rest = tail === undefined ? undefined : byFirstWord(expand(tail.trim(), words).flatMap((t) => this.spellings(t.trim())));
    if (rest !== undefined && rest.size === 0) return;
    for (const expanded of expand(head.trim(), words)) {
      const heads = this.spellings(expanded.trim());
      if (heads.length === 0) continue;
      const entry: Entry = { kind, call, phrase: heads[heads.length - 1]!.join(' '), atStart, atEnd, strong, rest, across };
      for (const path of heads) {
        let node = this.root;
        for (const w of path) {
          let next = node.next.get(w);
          if (next === undefined) node.next.set(w, (next = { next: new Map(), ends: [] }));
          node = next;
        }
        node.ends.push(entry);
      }
    }
  }

  /**
   * The normalised words of a phrase, once per way to type them: a word of `distinct` written
   * with its diacritics matches itself typed so, and its folded form typed without any ("cháy
   * dưới" matches "cháy dưới hầm" and "chay duoi ham", not "chết đuối").
   */
  private spellings(phrase: string): string[][] {
    const exact = new Set<string>();
    const plain = phrase.replace(/=([\p{L}\p{M}]+)/gu, (_, w: string) => {
      exact.add(w.normalize('NFC').toLowerCase());
      return w;
    });
    const { words } = this.normalizer.tokenize(plain, { keep: this.distinct });
    let paths: string[][] = [[]];
    for (const w of words) {
      // A kept word matches itself and, unless `=`, its folded form; a folded word also matches
      // the kept words that fold to it ("tôi" matches "tui" too, "cháy" matches "chay").
      const folded = this.distinct.has(w) ? this.normalizer.normalize(w) : w;
      const options = this.distinct.has(w) && exact.has(w) ? [w] : [...new Set([w, folded, ...(this.keptByFolded.get(folded) ?? [])])];
      paths = paths.flatMap((path) => options.map((o) => [...path, o]));
    }
    return words.length === 0 ? [] : paths;
  }
}

/**
 * Where one of `rest` starts and ends when it starts within `gap` words after `from`, in the same
 * part (`parts`: the clause of each word, or the sentence for "a …, b").
 */
function followedBy(tokens: string[], parts: number[], from: number, rest: Tail, gap: number): [number, number] | undefined {
  const c = parts[from - 1];
  for (let k = from; k <= from + gap && k < tokens.length && parts[k] === c; k++) {
    for (const words of rest.get(tokens[k]!) ?? []) {
      if (k + words.length > tokens.length || parts[k + words.length - 1] !== c) continue;
      if (words.every((w, n) => tokens[k + n] === w)) return [k, k + words.length];
    }
  }
  return undefined;
}

function byFirstWord(phrases: string[][]): Tail {
  const out = new Map<string, string[][]>();
  for (const p of phrases) if (p.length > 0) out.set(p[0]!, [...(out.get(p[0]!) ?? []), p]);
  return out;
}

/** Drops the numbers of `done` that only conditions asked for, while another number is still needed. */
function dropDone(kept: Match[], done: ReadonlySet<EmergencyCall>): Match[] {
  let out = kept;
  for (const call of done) {
    const mine = out.filter((m) => m.entry.call === call);
    if (mine.length === 0 || mine.some((m) => m.entry.kind !== Kind.Condition)) continue;
    if (!out.some((m) => m.entry.call !== undefined && m.entry.call !== call)) continue;
    out = out.filter((m) => m.entry.call !== call);
  }
  return out;
}

/** "{now} {fire}" → every combination of the groups' phrases (groups may use groups). */
export function expand(phrase: string, words: Record<string, string[]>, depth = 0): string[] {
  const open = phrase.indexOf('{');
  if (open < 0) return [phrase];
  const close = phrase.indexOf('}', open);
  if (close < 0 || depth > 4) throw new Error(`bad emergency phrase: ${phrase}`);
  const group = words[phrase.slice(open + 1, close)];
  if (group === undefined) throw new Error(`unknown word group in emergency phrase: ${phrase}`);
  const out: string[] = [];
  for (const w of group) {
    for (const e of expand(`${phrase.slice(0, open)}${w}${phrase.slice(close + 1)}`, words, depth + 1)) {
      out.push(e);
      if (out.length > MAX_EXPANSIONS) throw new Error(`emergency phrase expands to too many phrases: ${phrase}`);
    }
  }
  return out;
}

/**
 * A cry for help in a sentence that speaks of a password, an app, a car that will not start; or a
 * cry that is a sentence of its own ("SOS!!! mã kích hoạt không về") next to such a sentence.
 */
function figurative(cry: Match, notHelp: ReadonlySet<number>, sentences: readonly number[]): boolean {
  if (notHelp.has(cry.sentence)) return true;
  const alone = sentences.every((s, i) => s !== cry.sentence || (i >= cry.start && i < cry.end));
  return alone && (notHelp.has(cry.sentence - 1) || notHelp.has(cry.sentence + 1));
}

function overlaps(a: Match, b: Match): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * A negative phrase cancels a phrase it overlaps, unless the phrase is longer and holds it whole
 * ("giật điện thoại"); a negative of one number cancels only that number's phrases.
 */
function cancels(not: Match, m: Match): boolean {
  if (m.entry.strong) return false;
  if (not.entry.call !== undefined && m.entry.call !== not.entry.call) return false;
  if (!overlaps(not, m)) return false;
  if (m.entry.rest !== undefined) {
    // A negative the head or the tail holds whole is theirs ("xe tông" in "xe tông … bỏ chạy").
    if ((m.start <= not.start && not.end <= m.headEnd) || (m.tailStart <= not.start && not.end <= m.end)) return false;
    // Past a comma ("ăn nấm …, nôn ói") the words between are another clause's: only a
    // negative on the phrase's own words cancels it.
    if (m.entry.across) return not.start < m.headEnd || m.tailStart < not.end;
    // Words in a gap ("bình gas … rò rỉ") are anyone's: a negative among them still cancels.
    return true;
  }
  if (!(m.start <= not.start && not.end <= m.end)) return true;
  // A phrase that is the whole clause ("^cấp cứu$") is meant as it is: the negative that is
  // the same words ("cấp cứu" in "đã cấp cứu xong") is about longer clauses.
  return !(m.end - m.start > not.end - not.start || (m.entry.atStart && m.entry.atEnd));
}

