import { type Address, directAddress } from '../../domain/address.js';
import { formatVnDate } from '../../domain/dates.js';
import { list, msg, msgOr, type Param } from '../../domain/message.js';
import { timeRange } from '../../domain/session.js';
import type { Reply } from '../../domain/reply.js';
import type { CitizenRequest } from '../../domain/request.js';
import type { AreaService } from '../areas/service.js';
import { type AdminEvent, type CardStore, type CitizenEvent, type Clock, FEEDBACK_ANSWERS, type HandoffStore, type OfficerEvent, type RequestStore, type StaffStore, type SessionStore, type TeamEvent, type TeamStore } from '../ports.js';
import { visitParams } from '../../domain/visit.js';
import { adminMessage, renderCard } from './card.js';
import { farAwayKey, farAwayNotice } from './farAway.js';

/** A message the bot sends of its own accord (not an answer): what, about which request, to whom. */
export type Notice =
  | { kind: 'card'; requestId: string; round: number }
  /** `tag`: a notice that may be sent again with new content (a changed visit time). */
  | { kind: 'notify'; requestId: string; event: CitizenEvent; round?: number; tag?: string }
  | { kind: 'admin'; requestId: string; event: AdminEvent; round?: number }
  | { kind: 'officer'; requestId: string; round: number; staffId: string; event: OfficerEvent }
  | { kind: 'team'; requestId: string; round: number; event: TeamEvent }
  | { kind: 'handoff'; id: string }
  /** A report's post in the duty chat shown again with its news (repeats, location). */
  | { kind: 'handoff_update'; id: string }
  /** `source`: the officer's own message, so a redelivered reply is sent once. */
  | { kind: 'answer'; id: string; source: string; text: string; officer: string };

/** One message to one chat; `messageId`: edit that message instead (a card); `onSent`: keep its id. */
export interface Target {
  to: Address;
  reply: Reply;
  messageId?: string | null;
  onSent?: (messageId: string | undefined) => Promise<void>;
  /** Not to be sent before this instant (a relative's quiet hours): held, not dropped. */
  notBefore?: number;
}

/** The id a notice is known by: its job id, and the mark that says it was delivered. */
export function noticeId(n: Notice): string {
  switch (n.kind) {
    case 'card':
      return `card.${n.requestId}.${n.round}`;
    case 'notify':
      return `notify.${n.requestId}.${n.round ?? 0}.${n.event}${n.tag ? `.${n.tag}` : ''}`;
    case 'admin':
      return `admin.${n.requestId}.${n.round ?? 0}.${n.event}`;
    case 'officer':
      return `officer.${n.requestId}.${n.round}.${n.staffId}.${n.event}`;
    case 'team':
      return `team.${n.requestId}.${n.round}.${n.event}`;
    case 'handoff':
      return `handoff.${n.id}`;
    case 'handoff_update':
      return `handoff-update.${n.id}`;
    case 'answer':
      return `answer.${n.id}.${n.source}`;
  }
}

export interface NoticeDeps {
  requests: RequestStore;
  cards: CardStore;
  teams: TeamStore;
  staff: StaffStore;
  handoffs: HandoffStore;
  areas: AreaService;
  clock: Clock;
  /** The duty officers' chat: questions, emergencies and the commander's alerts. */
  dutyChat: Address | undefined;
  unit: { name: string; phone: string };
  maxContactAttempts: number;
  /** The calendar: what a session-bound request's card and reminders say about its session. */
  sessions?: SessionStore;
  /** A page of the web console (its address as people reach it), linked from messages. */
  consoleUrl?: (path: string) => string;
}

/**
 * Every notice put into words and given its addresses, from the database as it is now: the
 * wording lives here, in one place, and the jobs only deliver. Nothing to send (the request was
 * erased, nobody to tell) is an empty list.
 */
export class NoticeComposer {
  constructor(private readonly d: NoticeDeps) {}

  get dutyChat(): Address | undefined {
    return this.d.dutyChat;
  }

  /** `known`: the request as the caller has it, for notices about it (never for cards: see Outbound). */
  async compose(n: Notice, known?: CitizenRequest): Promise<Target[]> {
    if (n.kind === 'handoff' || n.kind === 'handoff_update') return this.handoff(n.id, n.kind === 'handoff_update');
    if (n.kind === 'answer') return this.answer(n);
    const r = n.kind !== 'card' && known?.id === n.requestId ? known : await this.d.requests.byId(n.requestId);
    if (!r) return [];
    const commune = this.d.areas.communeName(r.communeId);
    switch (n.kind) {
      case 'card': {
        const card = await this.d.cards.get(r.id, n.round);
        if (!card) return [];
        const view = { communeName: (id: string) => this.d.areas.communeName(id) };
        const session = await this.sessionOf(r);
        const extra = session ? [msg('team:card.session', session)] : [];
        return [
          {
            to: card.chat,
            reply: renderCard(r, card, view, this.d.maxContactAttempts, extra),
            messageId: card.messageId,
            onSent: async (messageId) => {
              if (messageId !== undefined) await this.d.cards.setMessage(card, messageId, this.d.clock.now());
            },
          },
        ];
      }
      case 'officer':
        return this.officer(r, commune, n);
      case 'team':
        return this.team(r, n);
      case 'admin': {
        if (!this.d.dutyChat) return [];
        const team = r.teamId ? await this.d.teams.byId(r.teamId) : r.excludedTeams?.length ? await this.d.teams.byId(r.excludedTeams[r.excludedTeams.length - 1]!) : undefined;
        // With a link to act on it: the page shows the details (the view audited) and the actions.
        const page = this.d.consoleUrl ? [msg('team:admin.open_page', { url: this.d.consoleUrl(`/r/${r.code}`) })] : [];
        return [{ to: this.d.dutyChat, reply: { text: [adminMessage(n.event, r, commune, team, this.d.maxContactAttempts), ...page] } }];
      }
      case 'notify':
        return this.citizen(r, n.event);
    }
  }

  /** A citizen, through the channel the request came from. Erased requests have no chat any more. */
  private async citizen(r: CitizenRequest, event: CitizenEvent): Promise<Target[]> {
    if (!r.chatId) return [];
    const team = r.teamId ? await this.d.teams.byId(r.teamId) : undefined;
    // Only the "claimed" notice names the officer.
    const officer = event === 'claimed' ? ((await this.d.cards.get(r.id))?.claimedName ?? '') : '';
    const params = {
      code: r.code,
      team: team?.name ?? '',
      date: formatVnDate(r.preferredDate),
      officer,
      unit: this.d.unit.name,
      phone: this.d.unit.phone,
      ...(r.visit ? visitParams(r.visit) : {}),
      reason: event === 'cancelled_by_unit' ? msgOr(`notify:cancel_reason.${r.reason}`, '') : '',
      ...(event === 'reminder_pickup' || event === 'reminder_visit' ? await this.reminderParams(r) : {}),
    };
    // A claim that came with the visit time says when, in the same message.
    const key = event === 'claimed' && r.visit ? 'notify:claimed_visit' : (farAwayKey(r, event) ?? `notify:${event}`);
    if (event === 'visit' && !r.visit) return [];
    // Their own number, said back so they can check it.
    const own = { ...params, number: r.phone };
    const reply: Reply = { text: [msg(key, own)] };
    // One question with three answers (buttons; numbers on Zalo).
    if (event === 'feedback') reply.options = FEEDBACK_ANSWERS.map((a) => ({ id: `fb:${r.id}:${a}`, label: msg(`notify:feedback_answer.${a}`) }));
    const far = r.timeZone ? farAwayNotice(r, r.timeZone, event, this.d.clock.now()) : undefined;
    if (far?.theirTime) reply.text.push(far.theirTime);
    return [{ to: { channel: r.channel, chatId: r.chatId, kind: 'private' }, reply, ...(far?.notBefore ? { notBefore: far.notBefore } : {}) }];
  }

  /** The session a request is bound to, as its card and reminders name it. */
  private async sessionOf(r: CitizenRequest): Promise<{ place: string; time: string; date: string } | undefined> {
    const s = r.sessionId ? await this.d.sessions?.byId(r.sessionId) : undefined;
    if (!s || s.status === 'cancelled') return undefined;
    return { place: s.placeName, time: timeRange(s.startTime, s.endTime), date: formatVnDate(s.date) };
  }

  /** Tomorrow's reminder: the visit's window (or "they will call first"), the pickup and where to. */
  private async reminderParams(r: CitizenRequest): Promise<Record<string, Param>> {
    const session = await this.sessionOf(r);
    return {
      when: r.visit ? msg('notify:reminder_window', visitParams(r.visit)) : msg('notify:reminder_call_first'),
      pickup: r.pickupAddress ?? r.address,
      place: session ? msg('notify:reminder_place', session) : msg('notify:reminder_place_unknown'),
    };
  }

  /**
   * An officer, directly, on each channel where the team has no work chat: what, where, when;
   * name, phone and address stay in the team's chat (or are read when they take the work).
   */
  private async officer(r: CitizenRequest, commune: string, n: Extract<Notice, { kind: 'officer' }>): Promise<Target[]> {
    const member = await this.d.staff.byId(n.staffId);
    const team = r.teamId ? await this.d.teams.byId(r.teamId) : undefined;
    if (!member || !team || member.teamId !== team.id) return [];
    const via = team.workChat ? 'chat' : 'direct';
    const reply: Reply = {
      text: [
        msg(`team:officer_dm.${n.event}_${via}`, {
          code: r.code,
          type: msg(`intake:type.${r.type}`),
          commune,
          date: formatVnDate(r.preferredDate),
          condition: msg(`intake:condition.${r.condition}`),
        }),
      ],
    };
    // Officers without a work chat (Zalo has no groups for bots) work from the web page.
    if (this.d.consoleUrl) reply.text.push(msg('team:officer_dm.work_link', { url: this.d.consoleUrl('/work') }));
    return member.identities.filter((i) => i.channel !== team.workChat?.channel).map((i) => ({ to: directAddress(i), reply }));
  }

  /** The team hears of a change to work it held: in its work chat, or each officer directly. */
  private async team(r: CitizenRequest, n: Extract<Notice, { kind: 'team' }>): Promise<Target[]> {
    const card = await this.d.cards.get(r.id, n.round);
    const teamId = card?.teamId ?? r.teamId;
    const team = teamId ? await this.d.teams.byId(teamId) : undefined;
    if (!team) return [];
    const reply: Reply = { text: [msg(`team:notice.${n.event}`, { code: r.code })] };
    if (team.workChat) return [{ to: team.workChat, reply }];
    return (await this.d.staff.ofTeam(team.id)).flatMap((o) => o.identities.map((i) => ({ to: directAddress(i), reply })));
  }

  /**
   * A question or emergency report in the duty chat; its message id is kept so a reply finds it.
   * An emergency carries what the officers need to act: the number the person was told, the
   * phone and address of their open request if any, where they are if they shared it. `update`:
   * the same post edited with its news (where the platform cannot edit, a new message).
   */
  private async handoff(id: string, update = false): Promise<Target[]> {
    const h = await this.d.handoffs.byId(id);
    const duty = this.d.dutyChat;
    if (!h || !duty) return [];
    if (update && !h.duty?.messageId) return [];
    const root = h.threadOf ? await this.d.handoffs.byId(h.threadOf) : undefined;
    const params = { code: root?.code ?? h.code, channel: msgOr(`handoff:channel.${h.channel}`, h.channel), chatId: h.chatId ?? '', text: h.question ?? '' };
    let text = h.kind === 'question' ? msg(root ? 'handoff:duty.followup' : 'handoff:duty.question', params) : undefined;
    if (h.kind === 'emergency') {
      const open = h.chatId ? (await this.d.requests.listByOwner({ channel: h.channel, userId: h.chatId }, true, 1))[0] : undefined;
      text = msg('safety:emergency.duty_alert', {
        ...params,
        calls: list(h.calls.map((c) => msg('common:raw', { text: c })), 'and'),
        context: open ? msg('safety:emergency.duty_context', { request: open.code, phone: open.phone, address: open.address, commune: this.d.areas.communeName(open.communeId) }) : '',
        location: h.location ? msg('safety:emergency.duty_location', { map: `https://www.google.com/maps?q=${h.location.lat},${h.location.lon}` }) : '',
        repeats: h.repeats > 0 ? msg('safety:emergency.duty_repeats', { count: h.repeats }) : '',
      });
    }
    return [
      {
        to: duty,
        reply: { text: [text!, msg('handoff:duty.how_to_answer', { code: params.code })] },
        messageId: update ? h.duty!.messageId : undefined,
        onSent: update ? undefined : (messageId) => this.d.handoffs.setDutyMessage(h.id, duty, messageId),
      },
    ];
  }

  private async answer(n: Extract<Notice, { kind: 'answer' }>): Promise<Target[]> {
    const h = await this.d.handoffs.byId(n.id);
    // Erased since: nobody to answer.
    if (!h?.chatId) return [];
    const code = h.threadOf ? ((await this.d.handoffs.byId(h.threadOf))?.code ?? h.code) : h.code;
    return [{ to: { channel: h.channel, chatId: h.chatId, kind: 'private' }, reply: { text: [msg('handoff:answer', { code, officer: n.officer, text: n.text })] } }];
  }
}
