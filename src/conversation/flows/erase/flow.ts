import { msg } from '../../../domain/message.js';
import { goToMenu, type Flow } from '../../flow.js';

/** Delete-my-data, after an explicit confirmation. */
export const eraseFlow: Flow = {
  start(state) {
    state.flow = 'erase';
    state.step = 'confirm';
    state.data = {};
  },

  prompt(ctx) {
    return {
      text: [msg('privacy:erase.confirm')],
      // Keeping it comes first; erasing needs its button or its words.
      options: [
        { id: 'erase:no', label: msg('privacy:erase.no') },
        { id: 'erase:yes', label: msg('privacy:erase.yes'), confirmWords: ctx.services.words('privacy:erase.confirm_words') },
      ],
      nav: true,
    };
  },

  async handle(ctx, input) {
    const yes = 'option' in input && input.option === 'erase:yes';
    goToMenu(ctx.state);
    if (!yes) return { say: [msg('privacy:erase.kept')] };
    const count = await ctx.services.privacy.eraseOwner(ctx.owner, ctx.chat);
    return { say: [msg('privacy:erase.done', { count })] };
  },

  back(ctx) {
    goToMenu(ctx.state);
  },
};
