import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { type Area, type AreaMatch, AreaMatcher } from '../../domain/area.js';
import type { AreaStore } from '../ports.js';

const areaFile = z.object({
  version: z.string(),
  communes: z.array(
    z.object({
      id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'ids are short lowercase slugs (they travel in button data)'),
      name: z.string().min(1),
      oldNames: z.array(z.string()).default([]),
      hamlets: z.array(z.string()).default([]),
    }),
  ),
});

export class AreaFileError extends Error {}

/** Parses the unit's area file (communes, their old names and hamlets) into areas. */
export function parseAreaFile(json: unknown): Area[] {
  const parsed = areaFile.safeParse(json);
  if (!parsed.success) {
    throw new AreaFileError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const areas: Area[] = [];
  for (const c of parsed.data.communes) {
    areas.push({ id: c.id, name: c.name, kind: 'commune', parentId: null, aliases: c.oldNames });
    c.hamlets.forEach((h, i) => areas.push({ id: `${c.id}-${i + 1}`, name: h, kind: 'hamlet', parentId: c.id, aliases: [] }));
  }
  return areas;
}

/** The communes the unit serves, loaded from its file into the database, and matched from there. */
export class AreaService {
  private matcher = new AreaMatcher([]);

  constructor(private readonly repo: AreaStore) {}

  /**
   * The unit's area file seeds an empty database; afterwards the database is the truth (the
   * console edits it), so a restart never undoes a change made there.
   */
  async seedFromFile(file: string): Promise<void> {
    if ((await this.repo.count()) === 0) await this.repo.replaceAll(parseAreaFile(JSON.parse(await readFile(file, 'utf8'))));
    await this.refresh();
  }

  async refresh(): Promise<void> {
    // Vietnamese alphabetical order (Đ after D), as people expect to read a list.
    const communes = (await this.repo.communes()).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
    this.matcher = new AreaMatcher([...communes, ...(await this.repo.hamlets())]);
  }

  communes(): Area[] {
    return this.matcher.all();
  }

  commune(id: string): Area | undefined {
    return this.matcher.all().find((a) => a.id === id);
  }

  /** The commune's name, or its id when the unit no longer lists it (old requests). */
  communeName(id: string): string {
    return this.commune(id)?.name ?? id;
  }

  /** Names of different communes that read the same without diacritics: the bot asks, the console flags them. */
  confusable(): { names: string[]; areas: Area[] }[] {
    return this.matcher.confusable();
  }

  mentionedIn(sentence: string): Area | undefined {
    return this.matcher.mentionedIn(sentence);
  }

  /**
   * What a typed commune (or hamlet) name means, the same for every step that takes one: one
   * commune, several to ask about, or the closest names.
   */
  match(text: string): AreaMatch {
    return this.matcher.match(text);
  }
}
