import { randomUUID } from 'node:crypto';
import { actorKey } from '../../../domain/address.js';
import { type AudienceChoice, audienceWithin } from '../../../core/broadcast/audience.js';
import type { Audience } from '../../../domain/broadcast.js';
import { msg } from '../../../domain/message.js';
import { cleanInput } from '../../../domain/text.js';
import type { FlowContext } from '../../context.js';
import { MAX_INPUT_CHARS, type Prompt } from '../../types.js';
import { type Flow, goToMenu, ok, reject } from '../../flow.js';

// As long as any message the bot reads (a Telegram photo caption holds 1,024).
const TEXT_MAX = MAX_INPUT_CHARS;

/** The communes this commander oversees (none: the whole unit), read again at every step (the engine has checked they are one). */
async function mine(ctx: FlowContext): Promise<readonly string[]> {
  return (await ctx.services.staff.whoIs(ctx.owner))?.communes ?? [];
}

/** Who it reaches: as in the console, a commander of some communes never reaches beyond them. */
async function audienceOf(ctx: FlowContext): Promise<Audience | undefined> {
  const d = ctx.state.data;
  const choice: AudienceChoice =
    d.audience === 'communes' ? { kind: 'communes', communeIds: Array.isArray(d.communes) ? d.communes : [] } : d.audience === 'open' ? { kind: 'open_requests' } : { kind: 'all' };
  return audienceWithin(choice, await mine(ctx));
}

/**
 * An admin's announcement: the text (a photo with a caption on Telegram), the audience, a
 * preview with the number of people it will reach, then confirm. The announcement's id is drawn
 * at the preview, so a confirm delivered twice starts one announcement. The engine checks admin
 * rights on every input to this flow.
 */
export const announceFlow: Flow = {
  start(state) {
    state.flow = 'announce';
    state.step = 'text';
    state.data = {};
  },

  async prompt(ctx): Promise<Prompt> {
    const { state, services } = ctx;
    const d = state.data;
    switch (state.step) {
      case 'audience':
        return {
          text: [msg('broadcast:admin.ask_audience')],
          options: [
            { id: 'aud:all', label: msg('broadcast:admin.audience_all') },
            { id: 'aud:communes', label: msg('broadcast:admin.audience_communes') },
            { id: 'aud:open', label: msg('broadcast:admin.audience_open') },
          ],
          nav: true,
        };
      case 'communes': {
        const chosen = new Set(Array.isArray(d.communes) ? d.communes : []);
        const own = await mine(ctx);
        return {
          text: [msg('broadcast:admin.ask_communes')],
          options: [
            ...services.areas.communes().filter((c) => own.length === 0 || own.includes(c.id)).map((c) => ({
              id: `aud:c:${c.id}`,
              label: chosen.has(c.id) ? msg('intake:services.selected', { label: msg('common:raw', { text: c.name }) }) : msg('common:raw', { text: c.name }),
            })),
            { id: 'aud:done', label: msg('intake:services.done') },
          ],
          nav: true,
        };
      }
      case 'preview': {
        d.id ??= randomUUID();
        const audience = await audienceOf(ctx);
        // None of the communes chosen is theirs any more (their list changed meanwhile): choose again.
        if (!audience) {
          state.step = 'communes';
          d.communes = [];
          return announceFlow.prompt(ctx);
        }
        const count = await services.broadcast.preview(audience);
        return {
          text: [msg('broadcast:admin.preview', { count }), msg('broadcast:announcement', { unit: services.unit.name, text: String(d.text ?? '') })],
          options: [
            { id: 'aud:send', label: msg('broadcast:admin.send') },
            { id: 'aud:edit', label: msg('broadcast:admin.edit') },
          ],
          nav: true,
        };
      }
      default:
        return { text: [msg('broadcast:admin.ask_text', { max: TEXT_MAX })], nav: true };
    }
  },

  async handle(ctx, input) {
    const { state, services } = ctx;
    const d = state.data;
    const o = 'option' in input ? input.option : undefined;
    switch (state.step) {
      case 'text': {
        const text = 'text' in input ? cleanInput(input.text) : 'photo' in input ? cleanInput(input.caption) : '';
        if ('photo' in input) d.photo = input.photo;
        if (!text || text.length > TEXT_MAX) return reject(msg('broadcast:admin.ask_text', { max: TEXT_MAX }));
        d.text = text;
        state.step = d.audience ? 'preview' : 'audience';
        return ok();
      }
      case 'audience':
        if (o === 'aud:all' || o === 'aud:open') {
          d.audience = o.slice(4);
          state.step = 'preview';
          return ok();
        }
        if (o === 'aud:communes') {
          d.audience = 'communes';
          state.step = 'communes';
          return ok();
        }
        break;
      case 'communes': {
        if (o === 'aud:done') {
          if (!(await audienceOf(ctx))) return reject(msg('broadcast:admin.ask_communes'));
          state.step = 'preview';
          return ok();
        }
        const id = o?.startsWith('aud:c:') ? o.slice(6) : undefined;
        if (!id) break;
        const own = await mine(ctx);
        // An old button (or a forged one) for a commune that is not theirs is not taken.
        if (own.length > 0 && !own.includes(id)) break;
        const chosen = new Set(Array.isArray(d.communes) ? d.communes : []);
        if (chosen.has(id)) chosen.delete(id);
        else chosen.add(id);
        d.communes = [...chosen];
        return { say: [], rejected: true };
      }
      case 'preview':
        if (o === 'aud:edit') {
          state.step = 'text';
          return ok();
        }
        if (o === 'aud:send' && typeof d.id === 'string') {
          const audience = await audienceOf(ctx);
          if (!audience) {
            state.step = 'communes';
            d.communes = [];
            return reject(msg('broadcast:admin.ask_communes'));
          }
          const b = await services.broadcast.send({
            id: d.id,
            kind: 'admin',
            createdBy: actorKey(ctx.owner),
            content: { text: String(d.text) },
            photo: typeof d.photo === 'string' ? d.photo : null,
            audience,
            report: { channel: ctx.chat.channel, chatId: ctx.chat.chatId },
          });
          goToMenu(state);
          return ok(msg(services.broadcast.available ? 'broadcast:admin.started' : 'broadcast:admin.queued', { count: b.total }));
        }
        break;
    }
    return reject(msg('common:menu.not_understood'));
  },

  back(ctx) {
    const back: Record<string, string> = { audience: 'text', communes: 'audience', preview: 'audience' };
    const to = back[ctx.state.step];
    if (to) ctx.state.step = to;
    else goToMenu(ctx.state);
  },
};
