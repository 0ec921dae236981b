import { formatVnDate } from '../domain/dates.js';
import { list, msg, type Msg } from '../domain/message.js';
import { maskPhone } from '../domain/phone.js';
import { type CitizenRequest, HANDBACK_REASONS, OUTCOMES } from '../domain/request.js';
import type { Team } from '../domain/team.js';
import type { Card } from '../db/repositories/cards.js';
import type { CardAction } from '../services/assignment.js';
import type { OptionOut, Reply } from './types.js';

/**
 * The card of a request in its team's group: everything the visit needs (phone and address
 * only here, in the team's own group), its state, and the buttons that state allows.
 */
export function renderCard(r: CitizenRequest, card: Card, commune: string, maxAttempts: number): Reply {
  const lines: Msg[] = [
    msg('team:card.title', { code: r.code, type: msg(`intake:type.${r.type}`) }),
    msg('team:card.person', { name: r.personName, year: r.birthYear, condition: msg(`intake:condition.${r.condition}`) }),
    msg('team:card.address', { address: r.address, commune }),
  ];
  if (r.type === 'ride') lines.push(msg('team:card.pickup', { pickup: r.pickupAddress ?? '', people: r.people ?? 1 }));
  lines.push(
    msg('team:card.phone', { phone: r.phone }),
    msg('team:card.services', { services: list(r.services.map((s) => msg(`intake:services.${s}`)), 'comma') }),
    msg('team:card.date', { date: formatVnDate(r.preferredDate) }),
  );
  if (r.notes) lines.push(msg('team:card.notes', { notes: r.notes }));
  lines.push(statusLine(r, card, maxAttempts));
  if (card.attempts > 0 && card.mode !== 'closed') lines.push(msg('team:card.attempts', { count: card.attempts, max: maxAttempts }));
  if (card.flagged && r.status === 'claimed') lines.push(msg('team:card.overdue'));
  if (card.mode === 'outcome') lines.push(msg('team:card.ask_outcome'));
  if (card.mode === 'handback') lines.push(msg('team:card.ask_handback'));
  return { text: [msg('common:lines', { lines: list(lines, 'line') })], options: cardOptions(r, card) };
}

function statusLine(r: CitizenRequest, card: Card, maxAttempts: number): Msg {
  if (r.status === 'cancelled') return msg('team:card.status_cancelled');
  if (r.status === 'done') return msg('team:card.status_done', { outcome: msg(`team:outcome.${r.outcome ?? 'not_needed'}`) });
  if (r.teamId !== card.teamId || (r.round ?? 0) !== card.round) {
    return r.status === 'unassigned' && r.reason === 'unreachable'
      ? msg('team:card.status_unreachable', { max: maxAttempts })
      : msg('team:card.status_returned');
  }
  if (r.status === 'claimed') return msg('team:card.status_claimed', { officer: card.claimedName ?? '' });
  return msg('team:card.status_assigned');
}

const button = (action: string, requestId: string, key: string): OptionOut => ({ id: `k:${action}:${requestId}`, label: msg(key) });

function cardOptions(r: CitizenRequest, card: Card): OptionOut[] {
  const live = card.mode !== 'closed' && r.teamId === card.teamId && (r.status === 'assigned' || r.status === 'claimed');
  if (!live) return [];
  if (card.mode === 'outcome') {
    return [...OUTCOMES.map((o, i) => button(`o${i}`, r.id, `team:outcome.${o}`)), button('x', r.id, 'team:button.back')];
  }
  if (card.mode === 'handback') {
    return [...HANDBACK_REASONS.map((o, i) => button(`r${i}`, r.id, `team:reason.${o}`)), button('x', r.id, 'team:button.back')];
  }
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
  };
  if (simple[code]) return { requestId, action: simple[code] };
  const index = Number(code.slice(1));
  if (code[0] === 'o' && OUTCOMES[index]) return { requestId, action: { kind: 'outcome', outcome: OUTCOMES[index] } };
  if (code[0] === 'r' && HANDBACK_REASONS[index]) return { requestId, action: { kind: 'handback', reason: HANDBACK_REASONS[index] } };
  return undefined;
}

/** What the admin chat is told: enough to act, personal data masked. */
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
