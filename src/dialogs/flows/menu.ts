import type { Intent } from '../../domain/intent.js';
import { msg } from '../../domain/message.js';
import type { FlowContext } from '../context.js';
import type { Flow } from './flow.js';

// The first four stay where they were: people remember "1" for a home visit.
export const MENU_ITEMS = ['home', 'ride', 'status', 'cancel', 'schedule', 'vneid', 'fire', 'human', 'erase'] as const;
export type MenuItem = (typeof MENU_ITEMS)[number];

/** What a typed message was understood as, when it maps onto a menu item. */
export const INTENT_ITEMS: Partial<Record<Intent, MenuItem>> = {
  home_cccd: 'home',
  ride: 'ride',
  status: 'status',
  cancel: 'cancel',
  schedule: 'schedule',
  vneid: 'vneid',
  fire: 'fire',
  human: 'human',
};

export const menuFlow: Flow & { greet(ctx: FlowContext): void; clarify(ctx: FlowContext, items: MenuItem[]): void } = {
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
      options: MENU_ITEMS.map((item) => ({ id: `menu:${item}`, label: msg(`common:menu.${item}`) })),
    };
  },

  async handle() {
    // Typed text at the menu is understood by the engine; only stray input reaches here.
    return { say: [msg('common:menu.not_understood')], rejected: true };
  },

  back() {},
};
