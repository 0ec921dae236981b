import { msg } from '../../../domain/message.js';
import type { Flow } from '../../flow.js';
import { goToMenu } from '../../flow.js';

/**
 * "Talk to a person": the next message is passed to the duty officers, whose reply comes back
 * here. Nothing is sent before the person has typed the question, knowing who will read it.
 */
export const handoffFlow: Flow = {
  start(state) {
    state.flow = 'handoff';
    state.step = 'ask';
    state.data = {};
  },

  prompt(ctx) {
    const { unit } = ctx.services;
    if (!ctx.services.handoff.available) return { text: [msg('handoff:unavailable', { phone: unit.phone })], nav: true };
    return { text: [msg('handoff:ask', { phone: unit.phone })], nav: true };
  },

  async handle(ctx, input) {
    const { handoff, unit } = ctx.services;
    if (!('text' in input) || input.text.trim().length < 2) return { say: [msg('handoff:ask', { phone: unit.phone })], rejected: true };
    if (!handoff.available) {
      goToMenu(ctx.state);
      return { say: [msg('handoff:unavailable', { phone: unit.phone })] };
    }
    const h = await handoff.forward(ctx.chat.channel, ctx.chat.chatId, input.text, 'question', { source: ctx.updateKey });
    goToMenu(ctx.state);
    return { say: [msg('handoff:forwarded', { code: h.code, phone: unit.phone })] };
  },

  back(ctx) {
    goToMenu(ctx.state);
  },
};
