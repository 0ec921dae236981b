import { randomInt, randomUUID } from 'node:crypto';
import { msg, type Msg } from '../domain/message.js';
import type { AuditRepository } from '../db/repositories/audit.js';
import type { InviteKind, TeamRepository } from '../db/repositories/teams.js';
import type { AssignmentService } from '../services/assignment.js';
import type { Clock } from '../services/clock.js';
import type { HandoffService } from '../services/handoff.js';
import type { AdminService } from '../services/admins.js';
import type { BroadcastService } from '../services/broadcast.js';
import { parseCardButton } from './card.js';

export interface StaffEvent {
  chatId: string;
  userId: string;
  userName: string;
  isGroup: boolean;
  text: string;
  /** The platform's id of this message (chat and message), when it has one: makes acting on it once possible. */
  messageKey?: string;
}

export interface StaffOptions {
  teams: TeamRepository;
  assignment: AssignmentService;
  audit: AuditRepository;
  clock: Clock;
  admins: AdminService;
  broadcast: BroadcastService;
  inviteTtlMs: number;
  handoff: HandoffService;
  /** The duty officers' chat (the admin chat): anyone in it may answer questions. */
  dutyChatId?: string;
}

const INVITE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';

function newInviteCode(): string {
  return Array.from({ length: 6 }, () => INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)]).join('');
}

/**
 * The officers' and admins' side: linking a team group, registering officers with one-time
 * codes, admin commands, and card buttons. Every action is checked against the database here;
 * nothing a client sends (a button, a chat id) is trusted on its own.
 */
export class StaffDialog {
  constructor(private readonly o: StaffOptions) {}

  static isStaffCommand(text: string): boolean {
    return /^\/(lienket|dangky|lienketzalo|doi|malienket|moicanbo|chihuy|traloi|quantri)(@\w+)?(\s|$)/i.test(text.trim());
  }

  /** Answers a staff command, or undefined when the text is not one. */
  async command(e: StaffEvent): Promise<Msg[] | undefined> {
    const m = /^\/(\w+)(?:@\w+)?\s*(.*)$/s.exec(e.text.trim());
    if (!m || !StaffDialog.isStaffCommand(e.text)) return undefined;
    const name = m[1]!.toLowerCase();
    const arg = m[2]!.trim();
    const now = this.o.clock.now();
    switch (name) {
      case 'lienket': {
        if (!e.isGroup) return [msg('team:link.group_only')];
        const teamId = (await this.o.teams.useInvite(arg.toUpperCase(), 'group', `telegram:${e.userId}`, now))?.teamId;
        if (!teamId) return [msg('team:link.bad_code')];
        await this.o.teams.linkChat(teamId, e.chatId);
        this.o.assignment.invalidateTeams();
        await this.o.audit.record(`telegram:${e.userId}`, 'group_linked', teamId, now);
        return [msg('team:link.group_ok', { team: (await this.o.teams.byId(teamId))?.name ?? teamId })];
      }
      case 'dangky': {
        const teamId = (await this.o.teams.useInvite(arg.toUpperCase(), 'officer', `telegram:${e.userId}`, now))?.teamId;
        if (!teamId) return [msg('team:link.bad_code')];
        await this.o.teams.upsertOfficer({ id: `tg-${e.userId}`, teamId, telegramUserId: e.userId, name: e.userName }, now);
        await this.o.audit.record(`telegram:${e.userId}`, 'officer_registered', teamId, now);
        return [msg('team:link.officer_ok', { name: e.userName, team: (await this.o.teams.byId(teamId))?.name ?? teamId })];
      }
      case 'lienketzalo': {
        // A registered officer asks for a code to link their Zalo account (sent privately).
        const officer = await this.o.teams.officerByTelegram(e.userId);
        if (!officer) return [msg('team:press.not_officer')];
        if (e.isGroup) return [msg('team:link.private_only')];
        const code = newInviteCode();
        await this.o.teams.createInvite(code, 'zalo', officer.teamId, `officer:${officer.id}`, now, this.o.inviteTtlMs);
        return [msg('team:link.zalo_code', { code, hours: Math.round(this.o.inviteTtlMs / 3600_000) })];
      }
    }
    if (name === 'traloi') return (await this.answer(e, arg, undefined)) ?? [msg('handoff:reply.usage')];
    // Everything below is for admins, checked on every command.
    if (!(await this.o.admins.isAdmin('telegram', e.userId))) return [msg('team:admin.not_admin')];
    if (name === 'quantri') return this.manageAdmins(e.userId, arg, now);
    if (name === 'doi') {
      const teams = await this.o.teams.active();
      return [
        msg('team:admin.teams_title'),
        ...teams.map((t) =>
          msg('team:admin.team_line', { id: t.id, name: t.name, linked: msg(t.chatId ? 'team:admin.linked' : 'team:admin.not_linked'), capacity: t.capacityPerDay }),
        ),
      ];
    }
    if (name === 'malienket' || name === 'moicanbo') {
      const team = await this.o.teams.byId(arg);
      if (!team) return [msg('team:admin.unknown_team', { id: arg.slice(0, 40) })];
      const kind: InviteKind = name === 'malienket' ? 'group' : 'officer';
      const code = newInviteCode();
      await this.o.teams.createInvite(code, kind, team.id, `telegram:${e.userId}`, now, this.o.inviteTtlMs);
      return [
        msg('team:admin.code_created', {
          team: team.name,
          code,
          hours: Math.round(this.o.inviteTtlMs / 3600_000),
          how: msg(kind === 'group' ? 'team:admin.how_group' : 'team:admin.how_officer', { code }),
        }),
      ];
    }
    return [msg('team:admin.usage')];
  }

  /** "/quantri" lists admins; "/quantri them ID" / "/quantri xoa ID": configured admins only. */
  private async manageAdmins(userId: string, arg: string, now: number): Promise<Msg[]> {
    const m = /^(them|xoa)\s+(\d+)$/i.exec(arg);
    if (!m) return [msg('team:admin.admins_list', { ids: (await this.o.admins.list()).join(', ') || '—' }), msg('team:admin.admins_usage')];
    if (!this.o.admins.isConfigured(userId)) return [msg('team:admin.admins_configured_only')];
    const target = m[2]!;
    if (m[1]!.toLowerCase() === 'them') {
      await this.o.admins.add(target, `telegram:${userId}`, now);
      await this.o.audit.record(`telegram:${userId}`, 'admin_added', target, now);
      return [msg('team:admin.admin_added', { id: target })];
    }
    const removed = await this.o.admins.remove(target);
    if (removed) await this.o.audit.record(`telegram:${userId}`, 'admin_removed', target, now);
    return [msg(removed ? 'team:admin.admin_removed' : 'team:admin.admin_unknown', { id: target })];
  }

  isDutyChat(chatId: string): boolean {
    return this.o.dutyChatId !== undefined && chatId === this.o.dutyChatId;
  }

  /**
   * An officer answers a person's question: a reply to the question's message in the duty chat
   * (`replyTo`), or "/traloi CODE text" there or from an admin in private. Undefined: a reply
   * to something that is not a question (ordinary chat in the duty group), left alone.
   */
  async answer(e: StaffEvent, text: string, replyTo: number | undefined): Promise<Msg[] | undefined> {
    const allowed = this.isDutyChat(e.chatId) || (await this.o.admins.isAdmin('telegram', e.userId));
    if (!allowed) return [msg('team:admin.not_admin')];
    const h = await this.o.handoff.find(e.chatId, replyTo, replyTo === undefined ? text : '');
    if (!h) return replyTo === undefined ? [msg(text ? 'handoff:reply.not_found' : 'handoff:reply.usage')] : undefined;
    const body = replyTo === undefined ? text.replace(/^\s*HD[\s-]?\w{4}\s*/i, '') : text;
    if (body.trim() === '') return [msg('handoff:reply.usage')];
    const result = await this.o.handoff.answer(h, body.trim(), e.userName, `telegram:${e.userId}`, e.messageKey ?? randomUUID());
    return [msg(`handoff:reply.${result}`, { code: h.code })];
  }

  /** On Zalo: "/canbo CODE" links the sender's Zalo account to the officer who asked for the code. */
  async zaloCommand(zaloUserId: string, text: string): Promise<Msg[] | undefined> {
    const m = /^\/canbo\s+(\S+)\s*$/i.exec(text.trim());
    if (!m) return undefined;
    const now = this.o.clock.now();
    const invite = await this.o.teams.useInvite(m[1]!.toUpperCase(), 'zalo', `zalo:${zaloUserId}`, now);
    const officer = invite?.createdBy.startsWith('officer:') ? await this.o.teams.officerById(invite.createdBy.slice(8)) : undefined;
    if (!officer) return [msg('team:link.bad_code')];
    await this.o.teams.linkOfficerZalo(officer.id, zaloUserId);
    await this.o.audit.record(`zalo:${zaloUserId}`, 'officer_registered', officer.teamId, now);
    return [msg('team:link.zalo_ok', { name: officer.name })];
  }

  /** A card button: returns the short answer shown to the presser. */
  async press(chatId: string, userId: string, optionId: string): Promise<Msg> {
    if (optionId.startsWith('bc:stop:')) {
      // "Stop sending" under an announcement's progress in a group: admins only, checked now.
      if (!(await this.o.admins.isAdmin('telegram', userId))) return msg('team:admin.not_admin');
      const r = await this.o.broadcast.cancel(optionId.slice(8), `telegram:${userId}`);
      return msg(r === 'cancelled' ? 'broadcast:stopped' : 'broadcast:not_running');
    }
    const parsed = parseCardButton(optionId);
    if (!parsed) return msg('team:press.stale');
    const result = await this.o.assignment.act(parsed.requestId, parsed.action, { telegramUserId: userId, chatId });
    return msg(`team:press.${result}`);
  }
}
