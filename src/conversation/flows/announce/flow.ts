import { randomUUID } from 'node:crypto';
import { actorKey } from '../../../domain/address.js';
import type { Audience } from '../../../domain/broadcast.js';
import { msg } from '../../../domain/message.js';
import { cleanInput } from '../../../domain/text.js';
import type { FlowContext } from '../../context.js';
import { MAX_INPUT_CHARS, type Prompt } from '../../types.js';
import { type Flow, goToMenu, ok, reject } from '../../flow.js';

// As long as any message the bot reads (a Telegram photo caption holds 1,024).
const TEXT_MAX = MAX_INPUT_CHARS;

function audienceOf(ctx: FlowContext): Audience {
  const d = ctx.state.data;
  if (d.audience === 'communes') return { kind: 'communes', communeIds: Array.isArray(d.communes) ? d.communes : [] };
  return d.audience === 'open' ? { kind: 'open_requests' } : { kind: 'all' };
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
        return {
          text: [msg('broadcast:admin.ask_communes')],
          options: [
            ...services.areas.communes().map((c) => ({
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
        const count = await services.broadcast.preview(audienceOf(ctx));
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
          if (!Array.isArray(d.communes) || d.communes.length === 0) return reject(msg('broadcast:admin.ask_communes'));
          state.step = 'preview';
          return ok();
        }
        const id = o?.startsWith('aud:c:') ? o.slice(6) : undefined;
        if (!id) break;
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
          const b = await services.broadcast.send({
            id: d.id,
            kind: 'admin',
            createdBy: actorKey(ctx.owner),
            content: { text: String(d.text) },
            photo: typeof d.photo === 'string' ? d.photo : null,
            audience: audienceOf(ctx),
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
