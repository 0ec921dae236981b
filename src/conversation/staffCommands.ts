import { randomUUID } from 'node:crypto';
import { type Actor, actorKey, parseChannelRef } from '../domain/address.js';
import { msg, type Msg } from '../domain/message.js';
import type { StaffMember } from '../domain/team.js';
import type { FlowContext } from './context.js';
import type { CommandSpec } from './registry.js';

const say = (...m: Msg[]) => ({ say: m, then: 'say' as const });

/** "zalo:84…" or a bare Telegram id, as the commander types it. */
function target(arg: string): Actor | undefined {
  const ref = parseChannelRef(arg, 'telegram');
  return ref ? { channel: ref.channel, userId: ref.id } : undefined;
}

/** The commander asking (the engine has checked they are one; read again, as their communes may have changed). */
async function commanderOf(ctx: FlowContext): Promise<StaffMember | undefined> {
  const me = await ctx.services.staff.whoIs(ctx.owner);
  return me?.commander ? me : undefined;
}

/** A team's code, only for a team this commander may change (as in the console). */
async function inviteFor(ctx: FlowContext, arg: string, kind: 'group' | 'officer'): Promise<{ say: Msg[]; then: 'say' }> {
  const { staff } = ctx.services;
  const me = await commanderOf(ctx);
  if (!me) return say(msg('team:admin.not_admin'));
  const r = await staff.teamInvite(kind, await staff.team(arg), me);
  if ('refused' in r) return say(r.refused === 'unknown' ? msg('team:admin.unknown_team', { id: arg.slice(0, 40) }) : msg(`scope:team.${r.refused}`));
  return say(
    msg('team:admin.code_created', {
      team: r.team.name,
      code: r.code,
      hours: staff.inviteHours,
      how: msg(kind === 'group' ? 'team:admin.how_group' : 'team:admin.how_officer', { code: r.code }),
    }),
  );
}

/**
 * The officers' and commanders' commands, on any channel: linking a team's work chat,
 * registering with one-time codes, linking another channel to oneself, the team list, invite
 * codes, the commanders' list, and answering a question. Rights are checked by the engine from
 * each command's `rights`, on every use.
 */
export const STAFF_COMMANDS: CommandSpec[] = [
  {
    name: 'lienket',
    where: 'any',
    guessable: true,
    async run(ctx, arg) {
      const r = await ctx.services.staff.linkWorkChat(arg, ctx.chat, ctx.owner);
      if (!r.ok) return say(msg(r.reason === 'not_group' ? 'team:link.group_only' : 'team:link.bad_code'));
      await ctx.services.assignment.teamsChanged();
      return say(msg('team:link.group_ok', { team: r.team.name }));
    },
  },
  {
    name: 'dangky',
    aliases: ['canbo'],
    where: 'any',
    guessable: true,
    async run(ctx, arg) {
      const name = ctx.event.actorName || ctx.owner.userId;
      const r = await ctx.services.staff.register(arg, ctx.owner, name);
      if (!r.ok) return say(msg(r.reason === 'taken' ? 'team:link.identity_taken' : 'team:link.bad_code'));
      await ctx.services.assignment.teamsChanged();
      if (r.team) return say(msg('team:link.officer_ok', { name: r.name, team: r.team.name }));
      return say(msg('team:link.identity_ok', { name: r.name }));
    },
  },
  {
    name: 'lienketkenh',
    aliases: ['lienketzalo'],
    async run(ctx) {
      const me = await ctx.services.staff.whoIs(ctx.owner);
      if (!me) return say(msg('team:press.not_officer'));
      const code = await ctx.services.staff.createIdentityInvite(me);
      return say(msg('team:link.identity_code', { code, hours: ctx.services.staff.inviteHours }));
    },
  },
  {
    // Private chats only: a link in a group could be opened by anyone there.
    name: 'dangnhap',
    aliases: ['login'],
    guessable: true,
    async run(ctx) {
      const { access } = ctx.services;
      const url = await access.linkForActor(ctx.owner);
      if (!url) return say(msg('team:login.not_staff'));
      return say(msg('team:login.link', { url, minutes: access.linkMinutes }));
    },
  },
  {
    name: 'traloi',
    where: 'any',
    async run(ctx, arg) {
      const { handoff, staff } = ctx.services;
      if (!handoff.isDutyChat(ctx.chat) && !(await staff.isCommander(ctx.owner))) return say(msg('team:admin.not_admin'));
      return say(...((await answerQuestion(ctx, arg, undefined)) ?? [msg('handoff:reply.usage')]));
    },
  },
  {
    name: 'doi',
    rights: 'commander',
    where: 'any',
    async run(ctx) {
      const me = await commanderOf(ctx);
      if (!me) return say(msg('team:admin.not_admin'));
      // As in the console: the teams serving any of their communes, a shared one marked as only to look at.
      const teams = await ctx.services.staff.teamsSeenBy(me);
      return say(
        msg('team:admin.teams_title'),
        ...teams.map((t) => {
          const line = msg('team:admin.team_line', {
            id: t.id,
            name: t.name,
            linked: msg(t.workChat ? 'team:admin.linked' : t.officerCount > 0 ? 'team:admin.officers_only' : 'team:admin.not_linked', { count: t.officerCount }),
            capacity: t.capacityPerDay,
          });
          return t.reach === 'see' ? msg('scope:team.line_see_only', { line }) : line;
        }),
      );
    },
  },
  { name: 'malienket', rights: 'commander', where: 'any', run: (ctx, arg) => inviteFor(ctx, arg, 'group') },
  { name: 'moicanbo', rights: 'commander', where: 'any', run: (ctx, arg) => inviteFor(ctx, arg, 'officer') },
  {
    name: 'moichihuy',
    rights: 'root',
    async run(ctx) {
      const code = await ctx.services.staff.commanderInvite(ctx.owner);
      return say(msg('team:admin.commander_code', { code, hours: ctx.services.staff.inviteHours }));
    },
  },
  {
    name: 'quantri',
    rights: 'commander',
    async run(ctx, arg) {
      const { staff } = ctx.services;
      const m = /^(them|xoa)\s+(\S+)$/i.exec(arg);
      const who = m ? target(m[2]!) : undefined;
      if (!m || !who) {
        const names = (await staff.commanders()).map((c) => `${c.name} (${c.identities.map(actorKey).join(', ')})`);
        return say(msg('team:admin.admins_list', { ids: names.join('; ') || '—' }), msg('team:admin.admins_usage'));
      }
      if (m[1]!.toLowerCase() === 'them') {
        const r = await staff.addCommander(who, ctx.owner);
        return say(msg(r === 'added' ? 'team:admin.admin_added' : 'team:admin.admins_configured_only', { id: actorKey(who) }));
      }
      const r = await staff.removeCommander(who, ctx.owner);
      return say(msg(r === 'removed' ? 'team:admin.admin_removed' : r === 'unknown' ? 'team:admin.admin_unknown' : 'team:admin.admins_configured_only', { id: actorKey(who) }));
    },
  },
];

/**
 * An officer answers a person's question: a reply to the question's message in the duty chat
 * (`replyTo`), or "/traloi CODE text" there or from a commander anywhere. Undefined: a reply to
 * something that is not a question (ordinary chat in the duty group), left alone.
 */
export async function answerQuestion(ctx: FlowContext, text: string, replyTo: string | undefined): Promise<Msg[] | undefined> {
  const { handoff } = ctx.services;
  const h = await handoff.find(ctx.chat, replyTo, replyTo === undefined ? text : '');
  if (!h) return replyTo === undefined ? [msg(text ? 'handoff:reply.not_found' : 'handoff:reply.usage')] : undefined;
  const body = replyTo === undefined ? text.replace(/^\s*HD[\s-]?\w{4}\s*/i, '') : text;
  if (body.trim() === '') return [msg('handoff:reply.usage')];
  const officer = ctx.event.actorName || (await ctx.services.staff.whoIs(ctx.owner))?.name || '';
  const source = ctx.event.messageId ? `${ctx.chat.chatId}.${ctx.event.messageId}` : randomUUID();
  const result = await handoff.answer(h, body.trim(), officer, actorKey(ctx.owner), source);
  return [msg(`handoff:reply.${result}`, { code: h.code })];
}
