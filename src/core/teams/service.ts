import { randomInt, randomUUID } from 'node:crypto';
import { type Actor, actorKey, type Address, directAddress } from '../../domain/address.js';
import type { InviteKind, StaffMember, Team } from '../../domain/team.js';
import type { AuditLog, Clock, StaffStore, TeamStore } from '../ports.js';
import { reachOf, type TeamReach, type TeamRefusal } from './reach.js';

const INVITE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';

function newInviteCode(): string {
  return Array.from({ length: 6 }, () => INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)]).join('');
}

export type LinkResult = { ok: true; team: Team } | { ok: false; reason: 'bad_code' | 'not_group' };
export type RegisterResult = { ok: true; name: string; team?: Team } | { ok: false; reason: 'bad_code' | 'taken' };

/**
 * The unit's people: teams' work chats, officers and commanders, on any channel. Everything is
 * checked against the database on every call; nothing a client sends (a button, a chat id) is
 * trusted on its own. Codes are one-time and expire.
 */
export class StaffService {
  constructor(
    private readonly teams: TeamStore,
    private readonly staff: StaffStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly inviteTtlMs: number,
  ) {}

  get inviteHours(): number {
    return Math.round(this.inviteTtlMs / 3600_000);
  }

  /** The staff member behind a channel account (active ones only). */
  whoIs(actor: Actor): Promise<StaffMember | undefined> {
    return this.staff.byIdentity(actor);
  }

  async isCommander(actor: Actor): Promise<boolean> {
    return (await this.staff.byIdentity(actor))?.commander === true;
  }

  teamList(): Promise<Team[]> {
    return this.teams.active();
  }

  /** The active teams this commander sees: those serving any of their communes (every one, for the whole unit). */
  async teamsSeenBy(by: StaffMember): Promise<(Team & { reach: TeamReach })[]> {
    return (await this.teams.active()).map((t) => ({ ...t, reach: reachOf(by, t) })).filter((t) => t.reach !== 'none');
  }

  team(id: string): Promise<Team | undefined> {
    return this.teams.byId(id);
  }

  /**
   * Every change to a team, in the console or by a chat command, starts here: it exists and is
   * this commander's to change (reachOf). A refusal is kept in the audit log: someone reached
   * beyond their communes, by an old page, a forged form or a typed team id.
   */
  async changeableBy<T extends Pick<Team, 'id' | 'communes'>>(t: T | undefined, by: StaffMember): Promise<T | TeamRefusal> {
    if (!t) return 'unknown';
    const reach = reachOf(by, t);
    if (reach === 'change') return t;
    await this.refusedBeyondScope(by, t.id);
    return reach === 'see' ? 'not_yours' : 'hidden';
  }

  /** Kept in the audit log: this commander tried to change something (a team, a commune's session) outside their communes. */
  refusedBeyondScope(by: StaffMember, subject: string | null): Promise<void> {
    return this.audit.record(`staff:${by.id}`, 'scope_refused', subject, this.clock.now());
  }

  officersOf(teamId: string): Promise<StaffMember[]> {
    return this.staff.ofTeam(teamId);
  }

  commanders(): Promise<StaffMember[]> {
    return this.staff.commanders();
  }

  /** Where each commander can be reached privately (the duty chat's fallback for emergencies). */
  async commanderAddresses(): Promise<Address[]> {
    return (await this.staff.commanders()).flatMap((c) => c.identities.map(directAddress));
  }

  /**
   * The settings' commanders, when the database has none yet: they seed it (and may add and
   * remove others). Afterwards the database is the truth.
   */
  async bootstrapCommanders(actors: Actor[]): Promise<void> {
    if (actors.length === 0 || (await this.staff.commanders()).length > 0) return;
    const now = this.clock.now();
    for (const a of actors) {
      const existing = await this.staff.byIdentity(a);
      if (existing) {
        await this.staff.update(existing.id, { commander: true, root: true });
        continue;
      }
      const id = `cmd-${randomUUID()}`;
      await this.staff.create({ id, name: actorKey(a), teamId: null, commander: true, root: true }, now);
      await this.staff.addIdentity(id, a, now);
    }
  }

  /**
   * A one-time code for a team this commander may change: `group` links its work chat, `officer`
   * registers an officer of it. The only way to a team's code, so no caller skips the check.
   */
  async teamInvite<T extends Pick<Team, 'id' | 'communes'>>(kind: 'group' | 'officer', t: T | undefined, by: StaffMember): Promise<{ code: string; team: T } | { refused: TeamRefusal }> {
    const team = await this.changeableBy(t, by);
    if (typeof team === 'string') return { refused: team };
    return { code: await this.newInvite(kind, team.id, `staff:${by.id}`), team };
  }

  /** A code that makes whoever sends it a commander of the whole unit. */
  commanderInvite(by: Actor): Promise<string> {
    return this.newInvite('commander', '', actorKey(by));
  }

  /** A code that adds another channel to the person asking (their Zalo, say, to their Telegram). */
  createIdentityInvite(member: StaffMember): Promise<string> {
    return this.newInvite('identity', member.teamId ?? '', `staff:${member.id}`);
  }

  private async newInvite(kind: InviteKind, teamId: string, createdBy: string): Promise<string> {
    const code = newInviteCode();
    await this.teams.createInvite(code, kind, teamId, createdBy, this.clock.now(), this.inviteTtlMs);
    return code;
  }

  /** "/lienket CODE" in a group: this group becomes the team's work chat. */
  async linkWorkChat(code: string, chat: Address, by: Actor): Promise<LinkResult> {
    if (chat.kind !== 'group') return { ok: false, reason: 'not_group' };
    const now = this.clock.now();
    const invite = await this.teams.useInvite(code.toUpperCase(), 'group', actorKey(by), now);
    if (!invite) return { ok: false, reason: 'bad_code' };
    await this.teams.linkWorkChat(invite.teamId, chat);
    await this.audit.record(actorKey(by), 'group_linked', invite.teamId, now);
    const team = await this.teams.byId(invite.teamId);
    return team ? { ok: true, team } : { ok: false, reason: 'bad_code' };
  }

  /**
   * "/dangky CODE" on any channel: an officer code registers the sender in that team (or moves
   * them there), an identity code adds this channel to the person who asked for the code, a
   * commander code makes them a commander.
   */
  async register(code: string, actor: Actor, name: string): Promise<RegisterResult> {
    const now = this.clock.now();
    const c = code.toUpperCase();
    const by = actorKey(actor);
    const officer = await this.teams.useInvite(c, 'officer', by, now);
    if (officer) {
      const existing = await this.staff.byIdentity(actor);
      const id = existing?.id ?? `stf-${randomUUID()}`;
      if (existing) await this.staff.update(id, { teamId: officer.teamId });
      else {
        await this.staff.create({ id, name, teamId: officer.teamId, commander: false }, now);
        await this.staff.addIdentity(id, actor, now);
      }
      this.teams.invalidate();
      await this.audit.record(by, 'officer_registered', officer.teamId, now);
      return { ok: true, name: existing?.name ?? name, team: await this.teams.byId(officer.teamId) };
    }
    const identity = await this.teams.useInvite(c, 'identity', by, now);
    if (identity) {
      const member = identity.createdBy.startsWith('staff:') ? await this.staff.byId(identity.createdBy.slice(6)) : undefined;
      if (!member) return { ok: false, reason: 'bad_code' };
      if (!(await this.staff.addIdentity(member.id, actor, now))) return { ok: false, reason: 'taken' };
      await this.audit.record(by, 'identity_linked', member.id, now);
      return { ok: true, name: member.name };
    }
    const commander = await this.teams.useInvite(c, 'commander', by, now);
    if (commander) {
      const existing = await this.staff.byIdentity(actor);
      const id = existing?.id ?? `cmd-${randomUUID()}`;
      if (existing) await this.staff.update(id, { commander: true });
      else {
        await this.staff.create({ id, name, teamId: null, commander: true }, now);
        await this.staff.addIdentity(id, actor, now);
      }
      await this.audit.record(by, 'admin_added', id, now);
      return { ok: true, name: existing?.name ?? name };
    }
    return { ok: false, reason: 'bad_code' };
  }

  /** Adds a commander by their account on a channel; only root commanders may. */
  async addCommander(target: Actor, by: Actor): Promise<'added' | 'not_root'> {
    if (!(await this.staff.byIdentity(by))?.root) return 'not_root';
    const now = this.clock.now();
    const existing = await this.staff.byIdentity(target);
    if (existing) await this.staff.update(existing.id, { commander: true });
    else {
      const id = `cmd-${randomUUID()}`;
      await this.staff.create({ id, name: actorKey(target), teamId: null, commander: true }, now);
      await this.staff.addIdentity(id, target, now);
    }
    await this.audit.record(actorKey(by), 'admin_added', actorKey(target), now);
    return 'added';
  }

  async removeCommander(target: Actor, by: Actor): Promise<'removed' | 'unknown' | 'not_root'> {
    if (!(await this.staff.byIdentity(by))?.root) return 'not_root';
    const existing = await this.staff.byIdentity(target);
    if (!existing?.commander) return 'unknown';
    await this.staff.update(existing.id, { commander: false, root: false });
    await this.audit.record(actorKey(by), 'admin_removed', actorKey(target), this.clock.now());
    return 'removed';
  }
}
