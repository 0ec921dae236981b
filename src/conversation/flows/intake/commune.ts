import type { Area, AreaChoice } from '../../../domain/area.js';
import { msg, type Msg } from '../../../domain/message.js';
import { cleanInput } from '../../../domain/text.js';
import type { FlowContext } from '../../context.js';
import type { Input, OptionOut } from '../../types.js';

/**
 * A commune answer, read the same way by every step that asks for one (the request's commune,
 * the commune to follow): a pressed choice, or a typed name matched through the area service.
 * `ask`: the name could be several communes, or none matched: what to say, and the typed text
 * is kept in the state so the next prompt offers the right choices.
 */
export type CommuneAnswer = { kind: 'commune'; area: Area; say: Msg[] } | { kind: 'ask'; say: Msg } | { kind: 'none' };

const TYPED = 'communeTyped';
const shown = (text: string) => cleanInput(text).slice(0, 60);

/**
 * Reads a commune from `input`. A choice the engine matched from typed words ("xa dong thanh"
 * equals the label "Xã Đông Thành" once folded) is read again as the words typed: folding alone
 * must not pick one of several communes. A typed number is a choice.
 */
export function readCommune(ctx: FlowContext, input: Input, prefix: string): CommuneAnswer {
  const { state, services } = ctx;
  const typed = ctx.event.text !== undefined ? cleanInput(ctx.event.text) : 'text' in input ? input.text : undefined;
  const option = 'option' in input && input.option.startsWith(prefix) ? input.option.slice(prefix.length) : undefined;
  if (option !== undefined && (typed === undefined || /^\d{1,2}$/.test(typed))) {
    const area = services.areas.commune(option);
    if (!area) return { kind: 'none' };
    state.data[TYPED] = undefined;
    return { kind: 'commune', area, say: [] };
  }
  if (typed === undefined) return { kind: 'none' };
  const m = services.areas.match(typed);
  if (m.kind === 'exact') {
    state.data[TYPED] = undefined;
    return { kind: 'commune', area: m.area, say: m.via ? [viaNote(m)] : [] };
  }
  if (m.areas.length > 0) {
    state.data[TYPED] = typed;
    return { kind: 'ask', say: msg(m.kind === 'ambiguous' ? 'intake:commune.ambiguous' : 'intake:commune.suggest', { text: shown(typed) }) };
  }
  state.data[TYPED] = undefined;
  const list = services.areas.communes().map((a) => a.name).join(', ');
  return { kind: 'ask', say: msg('intake:commune.unknown', { text: shown(typed), list }) };
}

/** The choices to offer: those the last typed name could mean, else every commune (a short list). */
export function communeOptions(ctx: FlowContext, prefix: string, max = 12): OptionOut[] {
  const { state, services } = ctx;
  const typed = state.data[TYPED];
  if (typeof typed === 'string') {
    const m = services.areas.match(typed);
    const choices: AreaChoice[] = m.kind === 'ambiguous' ? m.choices : m.kind === 'suggest' ? m.areas.map((area) => ({ area })) : [];
    if (choices.length > 0) return choices.map((c) => ({ id: `${prefix}${c.area.id}`, label: choiceLabel(c) }));
  }
  const all = services.areas.communes();
  // Long lists do not fit a phone screen; people type the name instead.
  return all.length <= max ? all.map((a) => ({ id: `${prefix}${a.id}`, label: msg('common:raw', { text: a.name }) })) : [];
}

/** Forgets a typed name (leaving the step, going back). */
export function forgetTypedCommune(ctx: FlowContext): void {
  ctx.state.data[TYPED] = undefined;
}

function choiceLabel(c: AreaChoice): Msg {
  if (!c.via) return msg('common:raw', { text: c.area.name });
  return msg(c.via.kind === 'old_name' ? 'common:area.choice_old_name' : 'common:area.choice_hamlet', { name: c.area.name, via: c.via.name });
}

function viaNote(c: AreaChoice): Msg {
  return c.via!.kind === 'old_name'
    ? msg('intake:commune.via_old_name', { old: c.via!.name, commune: c.area.name })
    : msg('intake:commune.via_hamlet', { hamlet: c.via!.name, commune: c.area.name });
}
