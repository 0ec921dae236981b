import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Actor, parseChannelRef } from '../../domain/address.js';
import { CAPABILITIES, type StaffMember, type Team, type TeamSeed } from '../../domain/team.js';
import { asMsg, type FieldErrors, type FormResult, issuesToErrors, slugFor } from '../forms.js';
import type { AccessStore, AuditLog, Clock, StaffStore, TeamStore } from '../ports.js';
import { reachOf, type TeamReach, type TeamRefusal } from './reach.js';
import type { StaffService } from './service.js';

export type TeamRecord = Team & { active: boolean };

/** What the console needs of the teams beyond what assignment reads. */
export interface TeamAdminStore extends TeamStore {
  /** Every team, deactivated ones too. */
  all(): Promise<TeamRecord[]>;
  count(): Promise<number>;
  /** Creates or edits a team; its work chat and whether it is active stay as they are. */
  save(team: TeamSeed): Promise<void>;
  setActive(id: string, active: boolean): Promise<void>;
  unlinkWorkChat(id: string): Promise<void>;
}

export interface StaffAdminStore extends StaffStore {
  setCommunes(id: string, communes: string[]): Promise<void>;
}

/** Which communes exist: only those may be given to a team or a commander. */
export interface CommuneCheck {
  commune(id: string): { id: string } | undefined;
}

export { reachOf, type TeamReach, type TeamRefusal } from './reach.js';

const e = (field: string) => `admin:teams.error.${field}`;

/** A team as the form sends it. Each message is a locale key naming the field. */
export const teamForm = z.object({
  name: z.string().trim().min(1, e('name')).max(80, e('name')),
  communes: z.array(z.string()).min(1, e('communes')),
  capabilities: z.array(z.enum(CAPABILITIES, { error: e('capabilities') })).min(1, e('capabilities')),
  capacityPerDay: z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z.number({ error: e('capacity') }).int(e('capacity')).min(1, e('capacity')).max(1000, e('capacity')),
  ),
});

/** The teams file and the console's import: the same shape as data/teams.json. */
export const teamsJson = z.object({
  teams: z.array(
    teamForm.extend({
      id: z.string().regex(/^[a-z0-9-]{1,30}$/, e('id')),
      capacityPerDay: z.number({ error: e('capacity') }).int(e('capacity')).min(1, e('capacity')).max(1000, e('capacity')),
      active: z.boolean().optional(),
    }),
  ),
});

/**
 * The unit's teams, officers and commanders as the console changes them. The database is the
 * truth; after every change the assignment engine is told (`changed`), so requests no team could
 * take try again at once. A removed officer's sessions end and their presses are refused (every
 * press looks the presser up among active staff).
 */
export class UnitAdmin {
  constructor(
    private readonly teams: TeamAdminStore,
    private readonly staffStore: StaffAdminStore,
    private readonly people: StaffService,
    private readonly sessions: Pick<AccessStore, 'revokeAllOf'>,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly areas: CommuneCheck,
    private readonly changed: () => Promise<unknown>,
  ) {}

  /** The teams this commander sees: those serving any of their communes (every team, for the whole unit). */
  async teamsFor(by: StaffMember): Promise<(TeamRecord & { reach: TeamReach })[]> {
    return (await this.teams.all()).map((t) => ({ ...t, reach: reachOf(by, t) })).filter((t) => t.reach !== 'none');
  }

  /** One team as this commander sees it (`reach` none: not theirs to see). */
  async team(id: string, by: StaffMember): Promise<(TeamRecord & { reach: TeamReach }) | undefined> {
    const t = (await this.teams.all()).find((x) => x.id === id);
    return t && { ...t, reach: reachOf(by, t) };
  }

  /** Every change to a team starts here: it exists and is this commander's to change. */
  private async changeable(id: string, by: StaffMember): Promise<TeamRecord | TeamRefusal> {
    return this.people.changeableBy((await this.teams.all()).find((t) => t.id === id), by);
  }

  /** A commander of some communes gives a team none but theirs. */
  private outside(communes: readonly string[], by: StaffMember): FormResult<never> | undefined {
    if (by.communes.length === 0 || communes.every((c) => by.communes.includes(c))) return undefined;
    return { ok: false, errors: { communes: { key: 'scope:team.outside' } } };
  }

  officers(teamId: string): Promise<StaffMember[]> {
    return this.staffStore.ofTeam(teamId);
  }

  private check(form: unknown): FormResult<Omit<TeamSeed, 'id'>> {
    const r = teamForm.safeParse(form);
    if (!r.success) return { ok: false, errors: issuesToErrors(r.error.issues, e('form')) };
    if (r.data.communes.some((c) => !this.areas.commune(c))) return { ok: false, errors: { communes: { key: e('communes') } } };
    return { ok: true, value: { ...r.data, capabilities: [...new Set(r.data.capabilities)] } };
  }

  async createTeam(form: unknown, by: StaffMember): Promise<FormResult<string>> {
    const checked = this.check(form);
    if (!checked.ok) return checked;
    const outside = this.outside(checked.value.communes, by);
    if (outside) return outside;
    const id = slugFor(checked.value.name, new Set((await this.teams.all()).map((t) => t.id)));
    await this.teams.save({ id, ...checked.value });
    await this.done(by, 'team_changed', id);
    return { ok: true, value: id };
  }

  async updateTeam(id: string, form: unknown, by: StaffMember): Promise<FormResult | TeamRefusal> {
    const t = await this.changeable(id, by);
    if (typeof t === 'string') return t;
    const checked = this.check(form);
    if (!checked.ok) return checked;
    const outside = this.outside(checked.value.communes, by);
    if (outside) return outside;
    await this.teams.save({ id, ...checked.value });
    await this.done(by, 'team_changed', id);
    return { ok: true, value: undefined };
  }

  /** A deactivated team gets no new work; what it holds stays with it until moved by hand. */
  async setActive(id: string, active: boolean, by: StaffMember): Promise<'ok' | TeamRefusal> {
    const t = await this.changeable(id, by);
    if (typeof t === 'string') return t;
    await this.teams.setActive(id, active);
    await this.done(by, active ? 'team_changed' : 'team_deactivated', id);
    return 'ok';
  }

  async unlinkWorkChat(id: string, by: StaffMember): Promise<'ok' | TeamRefusal> {
    const t = await this.changeable(id, by);
    if (typeof t === 'string') return t;
    await this.teams.unlinkWorkChat(id);
    await this.done(by, 'team_changed', id);
    return 'ok';
  }

  /** A one-time code: `officer` for "/dangky CODE", `group` for "/lienket CODE" in the team's work chat. */
  async invite(kind: 'officer' | 'group', teamId: string, by: StaffMember): Promise<{ code: string } | { refused: TeamRefusal }> {
    const r = await this.people.teamInvite(kind, (await this.teams.all()).find((t) => t.id === teamId), by);
    return 'refused' in r ? r : { code: r.code };
  }

  /**
   * Takes an officer off a team: a commander stays a commander, anyone else is removed. Their
   * browser sessions end now; their chat presses are refused from now on.
   */
  async removeOfficer(teamId: string, staffId: string, by: StaffMember): Promise<'ok' | 'no_officer' | TeamRefusal> {
    const t = await this.changeable(teamId, by);
    if (typeof t === 'string') return t;
    const member = await this.staffStore.byId(staffId);
    if (!member || member.teamId !== teamId) return 'no_officer';
    const now = this.clock.now();
    if (member.commander) await this.staffStore.update(staffId, { teamId: null });
    else await this.staffStore.remove(staffId, now);
    await this.sessions.revokeAllOf(staffId, now);
    await this.done(by, 'officer_removed', staffId);
    return 'ok';
  }

  /** The teams this commander sees, as data/teams.json holds them (work chats are linked in chat, not carried). */
  async exportTeams(by: StaffMember): Promise<string> {
    const teams = (await this.teamsFor(by)).map((t) => ({ id: t.id, name: t.name, communes: t.communes, capabilities: t.capabilities, capacityPerDay: t.capacityPerDay, active: t.active }));
    return `${JSON.stringify({ teams }, null, 2)}\n`;
  }

  /** Every team of the file is checked before any is saved: a bad one names its place and nothing changes. */
  async importTeams(text: string, by: StaffMember): Promise<FormResult<number>> {
    // A file sets any team of the unit: that is for a commander of the whole unit.
    if (by.communes.length > 0) return { ok: false, errors: { file: { key: 'scope:team.import' } } };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, errors: { file: { key: e('json') } } };
    }
    const r = teamsJson.safeParse(json);
    if (!r.success) {
      const i = r.error.issues[0]!;
      return typeof i.path[1] === 'number' ? atTeam(i.path[1], i.message.startsWith('admin:') ? i.message : e('form')) : { ok: false, errors: { file: { key: e('json') } } };
    }
    const ids = r.data.teams.map((t) => t.id);
    const dup = ids.findIndex((id, n) => ids.indexOf(id) !== n);
    if (dup >= 0) return atTeam(dup, e('duplicate'));
    const unknown = r.data.teams.findIndex((t) => t.communes.some((c) => !this.areas.commune(c)));
    if (unknown >= 0) return atTeam(unknown, e('communes'));
    await this.teams.upsertAll(r.data.teams.map(({ active: _active, ...t }) => ({ ...t, capabilities: [...new Set(t.capabilities)] })));
    for (const t of r.data.teams) if (t.active === false) await this.teams.setActive(t.id, false);
    await this.done(by, 'team_changed', null);
    return { ok: true, value: r.data.teams.length };
  }

  // Commanders

  commanders(): Promise<StaffMember[]> {
    return this.staffStore.commanders();
  }

  /** A code a new commander sends as "/dangky CODE" on any app. */
  commanderInvite(by: StaffMember): Promise<string> {
    return this.people.commanderInvite(asActor(by));
  }

  /** Adds a commander by an account ("zalo:8412…", or a bare Telegram id), with the communes they oversee. */
  async addCommander(form: { account: string; name: string; communes: string[] }, by: StaffMember): Promise<FormResult> {
    const ref = parseChannelRef(form.account, 'telegram');
    const errors: FieldErrors = {};
    if (!ref || !/^(-?\d+|[a-z][a-z0-9_-]*:\S+)$/.test(form.account.trim())) errors.account = { key: 'admin:commanders.error.account' };
    const name = form.name.trim();
    if (name.length > 80) errors.name = { key: 'admin:commanders.error.name' };
    if (form.communes.some((c) => !this.areas.commune(c))) errors.communes = { key: 'admin:commanders.error.communes' };
    if (!ref || Object.keys(errors).length > 0) return { ok: false, errors };
    const actor: Actor = { channel: ref.channel, userId: ref.id };
    const now = this.clock.now();
    const existing = await this.staffStore.byIdentity(actor);
    const id = existing?.id ?? `cmd-${randomUUID()}`;
    if (existing) await this.staffStore.update(id, { commander: true, ...(name ? { name } : {}) });
    else {
      await this.staffStore.create({ id, name: name || form.account.trim(), teamId: null, commander: true }, now);
      await this.staffStore.addIdentity(id, actor, now);
    }
    await this.staffStore.setCommunes(id, form.communes);
    await this.audit.record(`staff:${by.id}`, 'admin_added', id, now);
    return { ok: true, value: undefined };
  }

  async setCommanderCommunes(id: string, communes: string[], by: StaffMember): Promise<FormResult> {
    const member = await this.staffStore.byId(id);
    if (!member?.commander) return { ok: false, errors: { form: { key: 'admin:commanders.error.unknown' } } };
    if (communes.some((c) => !this.areas.commune(c))) return { ok: false, errors: { communes: { key: 'admin:commanders.error.communes' } } };
    await this.staffStore.setCommunes(id, communes);
    await this.audit.record(`staff:${by.id}`, 'admin_changed', id, this.clock.now());
    return { ok: true, value: undefined };
  }

  /** No one removes themselves (the unit would lose its last hands by mistake); their sessions end. */
  async removeCommander(id: string, by: StaffMember): Promise<FormResult> {
    if (id === by.id) return { ok: false, errors: { form: { key: 'admin:commanders.error.self' } } };
    const member = await this.staffStore.byId(id);
    if (!member?.commander) return { ok: false, errors: { form: { key: 'admin:commanders.error.unknown' } } };
    const now = this.clock.now();
    await this.staffStore.update(id, { commander: false, root: false });
    if (!member.teamId) await this.staffStore.remove(id, now);
    await this.sessions.revokeAllOf(id, now);
    await this.audit.record(`staff:${by.id}`, 'admin_removed', id, now);
    return { ok: true, value: undefined };
  }

  private async done(by: StaffMember, action: 'team_changed' | 'team_deactivated' | 'officer_removed', subject: string | null): Promise<void> {
    this.teams.invalidate();
    await this.audit.record(`staff:${by.id}`, action, subject, this.clock.now());
    await this.changed();
  }
}

/** The n-th team of an imported file (counted from 1, as people count) and what is wrong with it. */
function atTeam(index: number, key: string): { ok: false; errors: FieldErrors } {
  return { ok: false, errors: { file: { key: 'admin:teams.import_error_at', params: { at: index + 1, what: asMsg(key) } } } };
}

/** The console's person as the one who made a code (audit and invites name them so). */
function asActor(m: StaffMember): Actor {
  return { channel: 'staff', userId: m.id };
}
