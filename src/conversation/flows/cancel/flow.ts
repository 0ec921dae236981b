import { formatVnDate } from '../../../domain/dates.js';
import { msg, type Msg } from '../../../domain/message.js';
import type { CitizenRequest } from '../../../domain/request.js';
import type { FlowContext } from '../../context.js';
import { goToMenu, type Flow } from '../../flow.js';

function line(r: CitizenRequest): Msg {
  return msg('requests:status.line', {
    code: r.code,
    type: msg(`intake:type.${r.type}`),
    name: r.personName,
    date: formatVnDate(r.preferredDate),
    status: msg(`requests:status.${r.status}`),
  });
}

/** The person's requests, or the one with the given code. */
export async function statusReport(ctx: FlowContext, code?: string): Promise<Msg[]> {
  const { requests } = ctx.services;
  if (code) {
    const r = await requests.findOwned(ctx.owner, code);
    return r ? [line(r)] : [msg('requests:status.not_found', { code })];
  }
  const list = await requests.list(ctx.owner);
  return list.length === 0 ? [msg('requests:status.none')] : [msg('requests:status.title'), ...list.map(line)];
}

/** Cancelling a filed request: choose it (when there are several), confirm, done. */
export const cancelFlow: Flow = {
  start(state) {
    state.flow = 'cancel';
    state.step = 'choose';
    state.data = {};
  },

  async prompt(ctx) {
    const { state, services } = ctx;
    if (state.step === 'confirm') {
      const r = await services.requests.findOwned(ctx.owner, String(state.data.code));
      const code = String(state.data.code);
      // Keeping it comes first: a "1" typed out of habit must never cancel a bedridden person's visit.
      return {
        text: [msg('requests:cancel.confirm', { code, name: r?.personName ?? '' })],
        options: [
          { id: 'cancel:no', label: msg('requests:cancel.no') },
          { id: 'cancel:yes', label: msg('requests:cancel.yes', { code }), confirmWords: [...ctx.services.words('requests:cancel.confirm_words'), code] },
        ],
        nav: true,
      };
    }
    const open = await services.requests.listOpen(ctx.owner);
    return {
      text: [msg('requests:cancel.choose')],
      options: open.map((r) => ({ id: `req:${r.code}`, label: msg('requests:cancel.option', { code: r.code, name: r.personName }) })),
      nav: true,
    };
  },

  async handle(ctx, input) {
    const { state, services } = ctx;
    const option = 'option' in input ? input.option : undefined;
    if (state.step === 'choose') {
      if (!option?.startsWith('req:')) return { say: [msg('common:menu.not_understood')], rejected: true };
      state.data.code = option.slice(4);
      state.step = 'confirm';
      return { say: [], rejected: true };
    }
    const code = String(state.data.code);
    goToMenu(state);
    if (option !== 'cancel:yes') return { say: [msg('requests:cancel.kept')] };
    const r = await services.requests.findOwned(ctx.owner, code);
    const result = r ? await services.requests.cancelByOwner(ctx.owner, r.id) : 'not_found';
    if (result === 'cancelled') return { say: [msg('requests:cancel.done', { code })] };
    return { say: [msg(result === 'too_late' ? 'requests:cancel.too_late' : 'requests:status.not_found', { code })] };
  },

  back(ctx) {
    if (ctx.state.step === 'confirm') ctx.state.step = 'choose';
    else goToMenu(ctx.state);
  },
};

/** Opens the cancel flow, or says there is nothing to cancel. Skips the choice when there is one request. */
export async function startCancel(ctx: FlowContext): Promise<Msg[]> {
  const open = await ctx.services.requests.listOpen(ctx.owner);
  if (open.length === 0) {
    goToMenu(ctx.state);
    return [msg('requests:cancel.none')];
  }
  cancelFlow.start(ctx.state);
  if (open.length === 1) {
    ctx.state.data.code = open[0]!.code;
    ctx.state.step = 'confirm';
  }
  return [];
}
