import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CAPABILITIES } from '../../domain/team.js';
import type { TeamStore } from '../ports.js';

const teamFile = z.object({
  teams: z.array(
    z.object({
      id: z.string().regex(/^[a-z0-9-]{1,30}$/, 'team ids are short lowercase slugs'),
      name: z.string().min(1),
      communes: z.array(z.string()).min(1),
      capabilities: z.array(z.enum(CAPABILITIES)).min(1),
      capacityPerDay: z.number().int().positive(),
    }),
  ),
});

export class TeamFileError extends Error {}

/** Loads the unit's team file into the database (work chats linked in chat are kept). */
export async function loadTeamsFile(file: string, repo: TeamStore): Promise<void> {
  const parsed = teamFile.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new TeamFileError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  await repo.upsertAll(parsed.data.teams);
}
