import Fuse from 'fuse.js';
import { cleanInput, foldText } from './text.js';

/** A commune (xã/phường) or a hamlet inside it. Old names stay as aliases after mergers. */
export interface Area {
  id: string;
  name: string;
  kind: 'commune' | 'hamlet';
  parentId: string | null;
  aliases: string[];
}

/** A commune a typed name may mean, and the name that matched when it is not the commune's own. */
export interface AreaChoice {
  area: Area;
  via?: { name: string; kind: 'old_name' | 'hamlet' };
}

/**
 * What a typed name means. `exact`: one commune (`via`: matched by an old name or one of its
 * hamlets). `ambiguous`: several communes share the name once diacritics are folded and what was
 * typed does not tell them apart: ask, never guess. `suggest`: nothing matched; the closest names.
 */
export type AreaMatch =
  | ({ kind: 'exact' } & AreaChoice)
  | { kind: 'ambiguous'; areas: Area[]; choices: AreaChoice[] }
  | { kind: 'suggest'; areas: Area[] };

// "Xã Tân Hòa", "phuong 3", "tt. Long Hải": the unit prefix is not part of what people type.
const PREFIX = /^(xa|phuong|thi tran|tt|p|x)\s+/;
// Hamlets: "Ấp Bình Lợi" is typed "binh loi" too. One word left ("Ấp Chợ" → "cho", "Ấp 1" → "1")
// is too common a word or number to stand for a place on its own.
const HAMLET_PREFIX = /^(ap|thon|khu pho|kp|to dan pho|to|xom|khom|ban)\s+/;

function key(name: string): string {
  return foldText(name).replace(PREFIX, '');
}

/**
 * The name as typed, diacritics kept, and blind only to how they were typed: composed or not,
 * and where the tone mark sits ("hoà"/"hòa"). Each word is its folded letters with the marks it
 * carries, sorted, so "Đông Thạnh" and "Đông Thành" differ while "dong thanh" carries none.
 */
function marked(name: string): string {
  const words = cleanInput(name).toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean);
  const out = words.map((w) => {
    const marks = [...w.normalize('NFD')].filter((c) => /\p{M}/u.test(c)).sort().join('');
    // "đ" (U+0111) is a letter of its own, not d with a mark: folding makes it d, so it is kept aside.
    return `${foldText(w)}${w.includes('\u0111') ? '\u0111' : ''}${marks}`;
  });
  // The unit prefix, folded or not, is dropped as `key` drops it.
  const folded = words.map((w) => foldText(w));
  const drop = PREFIX.exec(`${folded.join(' ')} `)?.[1]?.split(' ').length ?? 0;
  return out.slice(drop).join(' ');
}

function hasMarks(name: string): boolean {
  return foldText(name) !== cleanInput(name).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

interface Entry {
  key: string;
  marked: string;
  choice: AreaChoice;
}

/**
 * Matches a typed commune name, or a hamlet's (which stands for its commune), diacritic-
 * insensitively and with old names; when folding makes several communes one name, the exact
 * diacritics decide, and without them the caller asks. Every step that takes a commune uses it.
 */
export class AreaMatcher {
  private readonly byKey = new Map<string, Entry[]>();
  private readonly communes: Area[];
  private readonly fuse: Fuse<{ key: string; area: Area }>;

  constructor(areas: Area[]) {
    this.communes = areas.filter((a) => a.kind === 'commune');
    const byId = new Map(this.communes.map((a) => [a.id, a]));
    const fuzzy: { key: string; area: Area }[] = [];
    for (const area of this.communes) {
      this.add(area.name, { area });
      fuzzy.push({ key: key(area.name), area });
      for (const old of area.aliases) {
        this.add(old, { area, via: { name: old, kind: 'old_name' } });
        fuzzy.push({ key: key(old), area });
      }
    }
    for (const hamlet of areas.filter((a) => a.kind === 'hamlet')) {
      const commune = hamlet.parentId ? byId.get(hamlet.parentId) : undefined;
      if (!commune) continue;
      const choice: AreaChoice = { area: commune, via: { name: hamlet.name, kind: 'hamlet' } };
      this.add(hamlet.name, choice);
      const short = foldText(hamlet.name).replace(HAMLET_PREFIX, '');
      if (short !== foldText(hamlet.name) && short.split(' ').length >= 2) this.add(hamlet.name, choice, short);
    }
    // Typos are suggested from the communes' own and old names only: a hamlet's name close to a
    // typo would offer a commune the person never named.
    this.fuse = new Fuse(fuzzy, { keys: ['key'], threshold: 0.45, ignoreLocation: true, includeScore: true });
  }

  private add(name: string, choice: AreaChoice, k = key(name)): void {
    const entries = this.byKey.get(k) ?? [];
    // The hamlet's short form is its own marked name without the prefix word.
    const m = k === key(name) ? marked(name) : marked(name).split(' ').slice(-k.split(' ').length).join(' ');
    entries.push({ key: k, marked: m, choice });
    this.byKey.set(k, entries);
  }

  match(input: string, maxSuggestions = 3): AreaMatch {
    const k = key(input);
    const entries = this.byKey.get(k);
    if (entries) return decide(entries, input);
    const seen = new Set<string>();
    const areas: Area[] = [];
    for (const r of this.fuse.search(k)) {
      if (seen.has(r.item.area.id)) continue;
      seen.add(r.item.area.id);
      areas.push(r.item.area);
      if (areas.length === maxSuggestions) break;
    }
    return { kind: 'suggest', areas };
  }

  /**
   * A commune named inside a sentence ("thu 7 nay lam o xa long thanh"): the longest name wins;
   * a name that could be several communes names none (the caller shows them all).
   */
  mentionedIn(sentence: string): Area | undefined {
    const padded = ` ${foldText(sentence)} `;
    let best: string | undefined;
    for (const k of this.byKey.keys()) {
      if (k.length >= 3 && padded.includes(` ${k} `) && (!best || k.length > best.length)) best = k;
    }
    if (!best) return undefined;
    // The words of the sentence where the name stands, as typed (with their diacritics).
    const words = cleanInput(sentence).split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean);
    const folded = words.map((w) => foldText(w));
    const n = best.split(' ').length;
    const at = folded.findIndex((_, i) => folded.slice(i, i + n).join(' ') === best);
    const r = decide(this.byKey.get(best)!, at >= 0 ? words.slice(at, at + n).join(' ') : best);
    return r.kind === 'exact' ? r.area : undefined;
  }

  all(): Area[] {
    return this.communes;
  }

  /** Names (own, old or a hamlet's) that fold to the same letters yet stand for different communes. */
  confusable(): { names: string[]; areas: Area[] }[] {
    const out: { names: string[]; areas: Area[] }[] = [];
    for (const entries of this.byKey.values()) {
      const communes = distinct(entries);
      if (communes.length > 1) out.push({ names: [...new Set(entries.map((e) => e.choice.via?.name ?? e.choice.area.name))], areas: communes.map((c) => c.area) });
    }
    return out;
  }
}

/** One commune, or the diacritics as typed pick one, or the person is asked. */
function decide(entries: Entry[], typed: string): AreaMatch {
  const communes = distinct(entries);
  if (communes.length === 1) return { kind: 'exact', ...communes[0]! };
  if (hasMarks(typed)) {
    const m = marked(typed);
    const same = distinct(entries.filter((e) => e.marked === m));
    if (same.length === 1) return { kind: 'exact', ...same[0]! };
  }
  return { kind: 'ambiguous', areas: communes.map((c) => c.area), choices: communes };
}

/** One choice per commune, its own name before an old name before a hamlet. */
function distinct(entries: Entry[]): AreaChoice[] {
  const rank = (c: AreaChoice) => (c.via === undefined ? 0 : c.via.kind === 'old_name' ? 1 : 2);
  const best = new Map<string, AreaChoice>();
  for (const e of entries) {
    const had = best.get(e.choice.area.id);
    if (!had || rank(e.choice) < rank(had)) best.set(e.choice.area.id, e.choice);
  }
  return [...best.values()];
}
