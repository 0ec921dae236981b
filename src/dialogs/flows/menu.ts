import { msg } from '../../domain/message.js';
import { findRequestCode } from '../../domain/request.js';
import type { FlowContext } from '../context.js';
import type { Flow } from './flow.js';
import { statusReport } from './myRequests.js';

export const MENU_ITEMS = ['home', 'ride', 'status', 'cancel', 'erase'] as const;
export type MenuItem = (typeof MENU_ITEMS)[number];

export const menuFlow: Flow & { greet(ctx: FlowContext): void } = {
  start(state) {
    state.flow = 'menu';
    state.step = 'main';
  },

  greet(ctx) {
    ctx.state.step = 'greet';
  },

  prompt(ctx) {
    const greeting = ctx.state.step === 'greet';
    ctx.state.step = 'main';
    return {
      text: [greeting ? msg('common:menu.greeting', { unit: ctx.services.unit.name }) : msg('common:menu.prompt')],
      options: MENU_ITEMS.map((item) => ({ id: `menu:${item}`, label: msg(`common:menu.${item}`) })),
    };
  },

  async handle(ctx, input) {
    // A request code typed at the menu shows that request (only if it is this person's).
    if ('text' in input) {
      const code = findRequestCode(input.text);
      if (code) return { say: await statusReport(ctx, code) };
    }
    return { say: [msg('common:menu.not_understood')], rejected: true };
  },

  back() {},
};
