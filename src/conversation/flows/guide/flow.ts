import { msg, type Msg } from '../../../domain/message.js';
import type { GuideTopic } from '../../../services/guide.js';
import type { FlowContext } from '../../context.js';
import type { OptionOut } from '../../types.js';
import { type Flow, goToMenu } from '../../flow.js';

const LIST = 'list';

function topicOf(ctx: FlowContext): GuideTopic {
  return ctx.state.data.topic === 'fire' ? 'fire' : 'vneid';
}

const toMenu: OptionOut = { id: 'g:menu', label: msg('guide:nav.menu') };

/**
 * Guidance (VNeID, fire safety): a list of short screens, each with "next", "other questions"
 * and "main menu". Typed questions are understood by the engine before they reach this flow.
 */
export const guideFlow: Flow & { open(ctx: FlowContext, topic: GuideTopic, screen?: string): void } = {
  start(state, variant) {
    state.flow = 'guide';
    state.step = LIST;
    state.data = { topic: variant === 'fire' ? 'fire' : 'vneid' };
  },

  open(ctx, topic, screen) {
    this.start(ctx.state, topic);
    if (screen && ctx.services.guide.screens(topic).includes(screen)) ctx.state.step = screen;
  },

  async prompt(ctx) {
    const topic = topicOf(ctx);
    const screens = ctx.services.guide.screens(topic);
    const { step } = ctx.state;
    if (step === LIST || !screens.includes(step)) {
      return {
        text: [msg(`guide:${topic}.intro`)],
        options: [...screens.map((id) => ({ id: `g:s:${id}`, label: msg(`guide:${topic}.screens.${id}.title`) })), toMenu],
      };
    }
    const i = screens.indexOf(step);
    const unit = { unit: ctx.services.unit.name, phone: ctx.services.unit.phone };
    const next = screens[i + 1];
    return {
      text: [
        msg(`guide:${topic}.screens.${step}.text`, unit),
        ...(topic === 'fire' && step === 'classes' ? await upcomingClasses(ctx) : []),
        msg('guide:ask_unit', unit),
        msg('guide:page', { n: i + 1, total: screens.length }),
      ],
      options: [
        ...(next ? [{ id: `g:s:${next}`, label: msg('guide:nav.next') }] : []),
        { id: 'g:list', label: msg('guide:nav.list') },
        toMenu,
      ],
    };
  },

  async handle(ctx, input) {
    if (!('option' in input)) return { say: [msg('common:menu.not_understood')], rejected: true };
    const id = input.option;
    if (id === 'g:menu') goToMenu(ctx.state);
    else if (id === 'g:list') ctx.state.step = LIST;
    else if (id.startsWith('g:s:')) ctx.state.step = id.slice(4);
    return { say: [] };
  },

  back(ctx) {
    if (ctx.state.step === LIST) goToMenu(ctx.state);
    else ctx.state.step = LIST;
  },
};

/** The fire-safety classes on the calendar: sessions that offer one, soonest first. */
async function upcomingClasses(ctx: FlowContext): Promise<Msg[]> {
  const sessions = (await ctx.services.sessions.upcoming(undefined, 30)).filter((s) => s.services.includes('fire_class')).slice(0, 3);
  if (sessions.length === 0) return [msg('guide:classes_none')];
  return [msg('guide:classes_upcoming'), ...sessions.map((s) => msg('calendar:line.planned', ctx.services.sessions.noticeParams(s)))];
}
