import { msg } from '../../../domain/message.js';
import type { FlowContext } from '../../context.js';
import type { Flow } from '../../flow.js';

export const menuFlow: Flow & { greet(ctx: FlowContext): void; clarify(ctx: FlowContext, items: string[]): void } = {
  start(state) {
    state.flow = 'menu';
    state.step = 'main';
  },

  greet(ctx) {
    ctx.state.step = 'greet';
  },

  /** Not sure what a typed message meant: offer the two likeliest readings, never guess. */
  clarify(ctx, items) {
    ctx.state.step = 'clarify';
    ctx.state.data = { choices: items };
  },

  prompt(ctx) {
    const choices = ctx.state.data.choices;
    if (ctx.state.step === 'clarify' && Array.isArray(choices)) {
      return {
        text: [msg('common:menu.clarify')],
        options: [...choices.map((item) => ({ id: `menu:${item}`, label: msg(`common:menu.${item}`) })), { id: 'menu:main', label: msg('common:menu.show_all') }],
      };
    }
    const greeting = ctx.state.step === 'greet';
    ctx.state.step = 'main';
    return {
      text: [greeting ? msg('common:menu.greeting', { unit: ctx.services.unit.name }) : msg('common:menu.prompt')],
      options: ctx.menu.map((item) => ({ id: `menu:${item}`, label: msg(`common:menu.${item}`) })),
    };
  },

  async handle() {
    // Typed text at the menu is understood by the engine; only stray input reaches here.
    return { say: [msg('common:menu.not_understood')], rejected: true };
  },

  back() {},
};
