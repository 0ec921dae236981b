import Fuse from 'fuse.js';
import { foldText } from './text.js';

/** A commune (xã/phường) or a hamlet inside it. Old names stay as aliases after mergers. */
export interface Area {
  id: string;
  name: string;
  kind: 'commune' | 'hamlet';
  parentId: string | null;
  aliases: string[];
}

export type AreaMatch = { kind: 'exact'; area: Area } | { kind: 'suggest'; areas: Area[] };

// "Xã Tân Hòa", "phuong 3", "tt. Long Hải": the unit prefix is not part of what people type.
const PREFIX = /^(xa|phuong|thi tran|tt|p|x)\s+/;

function key(name: string): string {
  return foldText(name).replace(PREFIX, '');
}

/** Matches a typed commune name diacritic-insensitively, with old names, and suggests the closest otherwise. */
export class AreaMatcher {
  private readonly byKey = new Map<string, Area>();
  private readonly fuse: Fuse<{ key: string; area: Area }>;

  constructor(private readonly communes: Area[]) {
    const entries: { key: string; area: Area }[] = [];
    for (const area of communes) {
      for (const name of [area.name, ...area.aliases]) {
        const k = key(name);
        if (!this.byKey.has(k)) this.byKey.set(k, area);
        entries.push({ key: k, area });
      }
    }
    this.fuse = new Fuse(entries, { keys: ['key'], threshold: 0.45, ignoreLocation: true, includeScore: true });
  }

  match(input: string, maxSuggestions = 3): AreaMatch {
    const k = key(input);
    const exact = this.byKey.get(k);
    if (exact) return { kind: 'exact', area: exact };
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

  /** A commune named inside a sentence ("thu 7 nay lam o xa long thanh"), the longest name wins. */
  mentionedIn(sentence: string): Area | undefined {
    const padded = ` ${foldText(sentence)} `;
    let best: { area: Area; length: number } | undefined;
    for (const [k, area] of this.byKey) {
      if (k.length >= 3 && padded.includes(` ${k} `) && (!best || k.length > best.length)) best = { area, length: k.length };
    }
    return best?.area;
  }

  all(): Area[] {
    return this.communes;
  }
}
