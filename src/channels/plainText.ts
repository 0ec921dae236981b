import { htmlToPlain } from '../domain/text.js';
import type { Reply } from '../domain/reply.js';
import type { Lang, Translator } from '../i18n.js';

/**
 * A reply for channels without buttons: the text, then the options as a numbered list that
 * accepts the number or the option's words, then how to go back or cancel.
 */
export function renderPlain(reply: Reply, t: Translator, lang?: Lang): string {
  const parts = [htmlToPlain(t.renderAll(reply.text, lang))];
  if (reply.options?.length) {
    parts.push(reply.options.map((o, i) => `${i + 1}. ${htmlToPlain(t.render(o.label, lang))}`).join('\n'));
    parts.push(htmlToPlain(t.render({ key: 'common:nav.hint_numbers' }, lang)));
  }
  if (reply.nav) parts.push(htmlToPlain(t.render({ key: 'common:nav.hint_nav' }, lang)));
  return parts.join('\n\n');
}
