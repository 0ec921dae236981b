import { formatVnDate } from '../../../domain/dates.js';
import { msg } from '../../../domain/message.js';
import { HANDBACK_REASONS, OUTCOMES } from '../../../domain/request.js';
import { parseCardButton, workButtons, workText } from '../../../core/notices/card.js';
import type { OptionOut, Prompt } from '../../types.js';
import { type Flow, goToMenu, ok, reject } from '../../flow.js';

const toList: OptionOut = { id: 'w:list', label: msg('team:work.list') };
const toMenu: OptionOut = { id: 'w:menu', label: msg('calendar:nav.menu') };

/**
 * An officer's work from their own chat, on any channel (Zalo has no groups, so this is how an
 * officer there works): the team's open requests, one request with its details, and the same
 * actions as a card's buttons, checked the same way by the assignment engine.
 */
export const workFlow: Flow = {
  start(state) {
    state.flow = 'work';
    state.step = 'list';
    state.data = {};
  },

  async prompt(ctx): Promise<Prompt> {
    const { state, services } = ctx;
    const me = await services.staff.whoIs(ctx.owner);
    if (!me?.teamId) return { text: [msg('team:press.not_officer')], options: [toMenu] };
    const id = typeof state.data.request === 'string' ? state.data.request : undefined;
    const r = id ? await services.requests.byId(id) : undefined;
    if (state.step !== 'list' && r && r.teamId === me.teamId && (r.status === 'assigned' || r.status === 'claimed')) {
      if (state.step === 'outcome') {
        return { text: [msg('team:card.ask_outcome')], options: [...OUTCOMES.map((o, i) => ({ id: `k:o${i}:${r.id}`, label: msg(`team:outcome.${o}`) })), toList] };
      }
      if (state.step === 'handback') {
        return { text: [msg('team:card.ask_handback')], options: [...HANDBACK_REASONS.map((o, i) => ({ id: `k:r${i}:${r.id}`, label: msg(`team:reason.${o}`) })), toList] };
      }
      await services.requests.viewed(r.id, `staff:${me.id}`);
      return { text: [workText(r, { communeName: (c) => services.areas.communeName(c) })], options: [...workButtons(r), toList] };
    }
    state.step = 'list';
    const work = await services.requests.teamWork(me.teamId);
    return {
      text: [msg(work.length > 0 ? 'team:work.title' : 'team:work.none')],
      options: [
        ...work.map((w) => ({
          id: `w:r:${w.id}`,
          label: msg('team:work.option', {
            code: w.code,
            type: msg(`intake:type.${w.type}`),
            commune: services.areas.communeName(w.communeId),
            date: formatVnDate(w.preferredDate),
            status: msg(`team:work.short_${w.status}`),
          }),
        })),
        toMenu,
      ],
    };
  },

  async handle(ctx, input) {
    const { state, services } = ctx;
    if (!('option' in input)) return reject(msg('common:menu.not_understood'));
    const o = input.option;
    if (o === 'w:menu') {
      goToMenu(state);
      return ok();
    }
    if (o === 'w:list') {
      this.start(state);
      return ok();
    }
    if (o.startsWith('w:r:')) {
      state.step = 'detail';
      state.data = { request: o.slice(4) };
      return ok();
    }
    const pressed = parseCardButton(o);
    if (!pressed) return reject(msg('common:menu.not_understood'));
    const { action, requestId } = pressed;
    if (action.kind === 'ask_outcome' || action.kind === 'ask_handback') {
      state.step = action.kind === 'ask_outcome' ? 'outcome' : 'handback';
      return ok();
    }
    const result = await services.assignment.act(requestId, action, { actor: ctx.owner });
    // Done, handed back or given up: the request has left this officer's hands, back to the list.
    const r = await services.requests.byId(requestId);
    const me = await services.staff.whoIs(ctx.owner);
    if (r && me?.teamId && r.teamId === me.teamId && (r.status === 'assigned' || r.status === 'claimed')) state.step = 'detail';
    else this.start(state);
    return ok(msg(`team:press.${result}`));
  },

  back(ctx) {
    if (ctx.state.step === 'list') goToMenu(ctx.state);
    else ctx.state.step = ctx.state.step === 'detail' ? 'list' : 'detail';
  },
};
