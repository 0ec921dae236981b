import { formatVnDate } from '../../domain/dates.js';
import { list, msg, type Msg } from '../../domain/message.js';
import { describePhone, maskPhone, parseVnPhone } from '../../domain/phone.js';
import type { Card } from '../../domain/card.js';
import type { OptionOut, Reply } from '../../domain/reply.js';
import { type CitizenRequest, HANDBACK_REASONS, OUTCOMES } from '../../domain/request.js';
import type { Team } from '../../domain/team.js';
import type { CardAction } from '../assignment/service.js';
import { cardLines, type FieldView } from '../requests/fields.js';

/**
 * The card of a request in its team's work chat: everything the visit needs (phone and address
 * only here, in the team's own chat), its state, and the buttons that state allows. Once the
 * person erased their data, the card keeps only its code and why it closed.
 */
export function renderCard(r: CitizenRequest, card: Card, view: FieldView, maxAttempts: number, extra: Msg[] = []): Reply {
  const title = msg('team:card.title', { code: r.code, type: msg(`intake:type.${r.type}`) });
  if (r.erasedAt !== undefined) return { text: [msg('common:lines', { lines: list([title, msg('team:card.status_erased')], 'line') })] };
  const lines: Msg[] = [title, ...cardLines(r, view), ...extra, statusLine(r, card, maxAttempts)];
  if (card.attempts > 0 && card.mode !== 'closed') lines.push(msg('team:card.attempts', { count: card.attempts, max: maxAttempts }));
  // Someone at home confirms: a mobile there nobody answers, and the relative who filed can be called.
  const home = parseVnPhone(r.phone);
  if (card.attempts > 0 && card.mode !== 'closed' && r.relativePhone && home.ok && home.kind === 'mobile') {
    lines.push(msg('abroad:card.try_relative', { phone: describePhone(r.relativePhone) }));
  }
  if (card.flagged && r.status === 'claimed') lines.push(msg('team:card.overdue'));
  if (card.mode === 'outcome') lines.push(msg('team:card.ask_outcome'));
  if (card.mode === 'handback') lines.push(msg('team:card.ask_handback'));
  return { text: [msg('common:lines', { lines: list(lines, 'line') })], options: cardOptions(r, card) };
}

/** A request as an officer sees it in their own chat (no card there): the same lines and its state. */
export function workText(r: CitizenRequest, view: FieldView): Msg {
  const title = msg('team:card.title', { code: r.code, type: msg(`intake:type.${r.type}`) });
  const status = msg(r.status === 'claimed' ? 'team:work.status_claimed' : 'team:work.status_assigned');
  return msg('common:lines', { lines: list([title, ...cardLines(r, view), status], 'line') });
}

function statusLine(r: CitizenRequest, card: Card, maxAttempts: number): Msg {
  if (r.status === 'cancelled') return msg('team:card.status_cancelled');
  if (r.status === 'done') return msg('team:card.status_done', { outcome: list((r.outcomes ?? [r.outcome ?? 'not_needed']).map((o) => msg(`team:outcome.${o}`)), 'comma') });
  if (r.teamId !== card.teamId || (r.round ?? 0) !== card.round) {
    if (r.status === 'unassigned' && r.reason === 'unreachable') return msg('team:card.status_unreachable', { max: maxAttempts });
    return msg((r.status === 'assigned' || r.status === 'claimed') && r.teamId !== card.teamId ? 'team:card.status_moved' : 'team:card.status_returned');
  }
  if (r.status === 'claimed') return msg('team:card.status_claimed', { officer: card.claimedName ?? '' });
  return msg('team:card.status_assigned');
}

const button = (action: string, requestId: string, key: string): OptionOut => ({ id: `k:${action}:${requestId}`, label: msg(key) });

function cardOptions(r: CitizenRequest, card: Card): OptionOut[] {
  const live = card.mode !== 'closed' && r.teamId === card.teamId && (r.status === 'assigned' || r.status === 'claimed');
  if (!live) return [];
  if (card.mode === 'outcome') {
    // Last, so the numbers of the single outcomes (typed on Zalo) stay as they were.
    return [...OUTCOMES.map((o, i) => button(`o${i}`, r.id, `team:outcome.${o}`)), button('b', r.id, 'reports:outcome.cccd_and_vneid'), button('x', r.id, 'team:button.back')];
  }
  if (card.mode === 'handback') {
    return [...HANDBACK_REASONS.map((o, i) => button(`r${i}`, r.id, `team:reason.${o}`)), button('x', r.id, 'team:button.back')];
  }
  return workButtons(r);
}

/** The actions an officer has on a request in this state (a card's buttons, a work list's choices). */
export function workButtons(r: Pick<CitizenRequest, 'id' | 'status'>): OptionOut[] {
  return [
    r.status === 'assigned' ? button('c', r.id, 'team:button.claim') : button('d', r.id, 'team:button.done'),
    button('u', r.id, 'team:button.unreachable'),
    button('h', r.id, 'team:button.handback'),
  ];
}

/** Reads a card button id back into an action. Anything else is refused. */
export function parseCardButton(id: string): { requestId: string; action: CardAction } | undefined {
  const m = /^k:([a-z]\d?):([0-9a-f-]{36})$/.exec(id);
  if (!m) return undefined;
  const [, code, requestId] = m as unknown as [string, string, string];
  const simple: Record<string, CardAction> = {
    c: { kind: 'claim' },
    d: { kind: 'ask_outcome' },
    u: { kind: 'unreachable' },
    h: { kind: 'ask_handback' },
    x: { kind: 'show_actions' },
    // One press for the usual pair, so the VNeID activation is not lost when the CCCD is taken.
    b: { kind: 'outcome', outcome: 'cccd_taken', more: ['vneid_done'] },
  };
  if (simple[code]) return { requestId, action: simple[code] };
  const index = Number(code.slice(1));
  if (code[0] === 'o' && OUTCOMES[index]) return { requestId, action: { kind: 'outcome', outcome: OUTCOMES[index] } };
  if (code[0] === 'r' && HANDBACK_REASONS[index]) return { requestId, action: { kind: 'handback', reason: HANDBACK_REASONS[index] } };
  return undefined;
}

/** What the duty (commander's) chat is told: enough to act, personal data masked. */
export function adminMessage(event: string, r: CitizenRequest, commune: string, team: Team | undefined, maxAttempts: number): Msg {
  return msg(`team:admin.${event}`, {
    code: r.code,
    type: msg(`intake:type.${r.type}`),
    commune,
    date: formatVnDate(r.preferredDate),
    reason: r.reason ? msg(`team:admin.reason_${r.reason}`) : '',
    name: maskName(r.personName),
    phone: r.phone ? maskPhone(r.phone) : '',
    team: team?.name ?? '',
    max: maxAttempts,
  });
}

/** "Nguyễn Thị Lành" → "N. T. Lành": enough to recognise, not enough to identify. */
export function maskName(name: string): string {
  const parts = name.split(' ').filter(Boolean);
  if (parts.length <= 1) return parts[0] ? `${parts[0][0]}***` : '';
  return [...parts.slice(0, -1).map((p) => `${p[0]}.`), parts[parts.length - 1]].join(' ');
}
