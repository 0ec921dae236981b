import { list, msg, type Msg } from '../../../domain/message.js';
import type { Session } from '../../../domain/session.js';
import type { FlowContext } from '../../context.js';
import type { OptionOut } from '../../types.js';
import { type Flow, goToMenu } from '../../flow.js';
import { communeOptions, readCommune } from '../intake/commune.js';

const SHOWN = 5;

function lineOf(ctx: FlowContext, s: Session): Msg {
  return msg(`calendar:line.${s.status === 'moved' ? 'moved' : 'planned'}`, ctx.services.sessions.noticeParams(s));
}

/**
 * "When and where is the next session": the next sessions (of the person's commune when we know
 * it), one session's details, and subscribing to a commune's announcements. Also the question
 * asked after a request is filed: "be told about your commune's sessions?"
 */
export const scheduleFlow: Flow & {
  open(ctx: FlowContext, communeId?: string): Promise<void>;
  offerSubscription(ctx: FlowContext, communeId: string): Promise<boolean>;
  pickCommune(ctx: FlowContext): void;
} = {
  start(state, variant) {
    state.flow = 'schedule';
    state.step = 'list';
    state.data = variant ? { commune: variant } : {};
  },

  /** The list, for the commune named, else the commune they subscribed to, else every commune. */
  async open(ctx, communeId) {
    const subscribed = await ctx.services.sessions.subscribedCommunes(ctx.chat.channel, ctx.chat.chatId);
    this.start(ctx.state, communeId ?? subscribed[0]);
  },

  /** After a request: offer the commune's announcements unless already subscribed. */
  async offerSubscription(ctx, communeId) {
    const subscribed = await ctx.services.sessions.subscribedCommunes(ctx.chat.channel, ctx.chat.chatId);
    if (subscribed.includes(communeId)) return false;
    this.start(ctx.state, communeId);
    ctx.state.step = 'offer';
    return true;
  },

  pickCommune(ctx) {
    subscribeFlow.start(ctx.state);
  },

  async prompt(ctx) {
    const { state, services } = ctx;
    const commune = typeof state.data.commune === 'string' ? state.data.commune : undefined;
    const communeName = commune ? (services.areas.commune(commune)?.name ?? commune) : '';
    const toMenu: OptionOut = { id: 'sch:menu', label: msg('calendar:nav.menu') };
    if (state.step === 'offer') {
      return {
        text: [msg('calendar:subscribe.offer', { commune: communeName })],
        options: [
          { id: 'sch:sub', label: msg('calendar:subscribe.yes') },
          { id: 'sch:no', label: msg('calendar:subscribe.no') },
        ],
      };
    }
    if (state.step === 'detail' && typeof state.data.session === 'string') {
      const s = await services.sessions.byId(state.data.session);
      if (s) {
        const p = services.sessions.noticeParams(s);
        const text = [msg('calendar:detail.text', { ...p, services: servicesOf(s), notes: s.notes ?? '' })];
        if (s.mapUrl) text.push(msg('calendar:detail.map', { url: s.mapUrl }));
        if (s.status === 'cancelled') text.push(msg('calendar:detail.cancelled'));
        return { text, options: [{ id: 'sch:list', label: msg('calendar:nav.list') }, toMenu] };
      }
    }
    const sessions = await services.sessions.upcoming(commune, SHOWN);
    const subscribed = commune ? (await services.sessions.subscribedCommunes(ctx.chat.channel, ctx.chat.chatId)).includes(commune) : false;
    const text: Msg[] = [
      sessions.length > 0
        ? msg(commune ? 'calendar:list.title_commune' : 'calendar:list.title_all', { commune: communeName })
        : msg(commune ? 'calendar:list.none_commune' : 'calendar:list.none', { commune: communeName, phone: services.unit.phone }),
      ...sessions.map((s) => lineOf(ctx, s)),
    ];
    return {
      text,
      options: [
        ...sessions.map((s) => ({ id: `sch:s:${s.id}`, label: msg('calendar:list.option', services.sessions.noticeParams(s)) })),
        ...(commune ? [{ id: 'sch:all', label: msg('calendar:list.all') }] : []),
        commune && subscribed
          ? { id: 'sch:unsub', label: msg('calendar:subscribe.stop', { commune: communeName }) }
          : commune
            ? { id: 'sch:sub', label: msg('calendar:subscribe.start', { commune: communeName }) }
            : { id: 'sch:pick', label: msg('calendar:subscribe.start_pick') },
        toMenu,
      ],
    };
  },

  async handle(ctx, input) {
    const { state, services, chat } = ctx;
    if (!('option' in input)) return { say: [msg('common:menu.not_understood')], rejected: true };
    const id = input.option;
    const commune = typeof state.data.commune === 'string' ? state.data.commune : undefined;
    const name = (c: string) => services.areas.commune(c)?.name ?? c;
    if (id === 'sch:menu' || id === 'sch:no') {
      goToMenu(state);
      return { say: id === 'sch:no' ? [msg('calendar:subscribe.declined')] : [] };
    }
    if (id === 'sch:list' || id === 'sch:all') {
      if (id === 'sch:all') delete state.data.commune;
      state.step = 'list';
      return { say: [] };
    }
    if (id.startsWith('sch:s:')) {
      state.step = 'detail';
      state.data.session = id.slice(6);
      return { say: [] };
    }
    if (id === 'sch:pick') {
      subscribeFlow.start(state);
      return { say: [] };
    }
    const chosen = id === 'sch:sub' ? commune : undefined;
    if (chosen) {
      await services.sessions.subscribe(chat.channel, chat.chatId, chosen);
      const offer = state.step === 'offer';
      if (offer) goToMenu(state);
      else this.start(state, chosen);
      return { say: [msg('calendar:subscribe.done', { commune: name(chosen) })] };
    }
    if (id === 'sch:unsub' && commune) {
      await services.sessions.unsubscribe(chat.channel, chat.chatId, commune);
      state.step = 'list';
      return { say: [msg('calendar:subscribe.stopped', { commune: name(commune) })] };
    }
    return { say: [msg('common:menu.not_understood')], rejected: true };
  },

  back(ctx) {
    if (ctx.state.step === 'detail') ctx.state.step = 'list';
    else goToMenu(ctx.state);
  },
};

function servicesOf(s: Session): Msg {
  return msg('common:lines', { lines: list(s.services.map((x) => msg(`calendar:service.${x}`)), 'comma') });
}

/**
 * "Which commune's announcements?" (/dangkytin): a choice, or the commune's name typed the way
 * the request's commune is (old names, hamlets, asked back when the name could be several).
 * Its own flow, so typed words are an answer here, not a wish to understand.
 */
export const subscribeFlow: Flow = {
  start(state) {
    state.flow = 'subscribe';
    state.step = 'pick';
    state.data = {};
  },

  prompt(ctx) {
    return {
      text: [msg('calendar:subscribe.pick')],
      options: [...communeOptions(ctx, 'sch:c:', Number.POSITIVE_INFINITY), { id: 'sch:menu', label: msg('calendar:nav.menu') }],
    };
  },

  async handle(ctx, input) {
    const { state, services, chat } = ctx;
    if ('option' in input && input.option === 'sch:menu') {
      goToMenu(state);
      return { say: [] };
    }
    const r = readCommune(ctx, input, 'sch:c:');
    if (r.kind === 'ask') return { say: [r.say], rejected: true };
    if (r.kind === 'none') return { say: [msg('common:menu.not_understood')], rejected: true };
    await services.sessions.subscribe(chat.channel, chat.chatId, r.area.id);
    scheduleFlow.start(state, r.area.id);
    return { say: [...r.say, msg('calendar:subscribe.done', { commune: r.area.name })] };
  },

  back(ctx) {
    goToMenu(ctx.state);
  },
};
