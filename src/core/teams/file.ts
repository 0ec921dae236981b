import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CAPABILITIES } from '../../domain/team.js';
import type { TeamAdminStore } from './admin.js';

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

/**
 * The unit's team file seeds an EMPTY database. Afterwards the database is the truth (the
 * console creates, edits and stops teams): loading the file at every start re-activated a team
 * the unit had removed.
 */
export async function seedTeamsFile(file: string, repo: TeamAdminStore): Promise<boolean> {
  if ((await repo.count()) > 0) return false;
  const parsed = teamFile.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new TeamFileError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  await repo.upsertAll(parsed.data.teams);
  return true;
}
