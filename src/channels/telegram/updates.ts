import { GrammyError, HttpError } from 'grammy';
import type { Update } from 'grammy/types';
import type { InboundEvent } from '../../conversation/types.js';
import { SendFailure } from '../adapter.js';
import { parseCallbackData } from './render.js';

/** A Telegram update as the engine's event; undefined for what the bot does not read. */
export function toEvent(u: Update): InboundEvent | undefined {
  const cq = u.callback_query;
  if (cq) {
    const chat = cq.message?.chat;
    if (!chat || typeof cq.data !== 'string') return undefined;
    return {
      address: { channel: 'telegram', chatId: String(chat.id), kind: chat.type === 'private' ? 'private' : 'group' },
      actor: { channel: 'telegram', userId: String(cq.from.id) },
      actorName: [cq.from.first_name, cq.from.last_name].filter(Boolean).join(' '),
      deliveryId: String(u.update_id),
      // Forged or old data is refused by the engine (it only takes what it offered last).
      option: parseCallbackData(cq.data) ?? { id: 'invalid', nonce: -1 },
    };
  }
  const m = u.message;
  if (!m || !m.from || m.from.is_bot) return undefined;
  const event: InboundEvent = {
    address: { channel: 'telegram', chatId: String(m.chat.id), kind: m.chat.type === 'private' ? 'private' : 'group' },
    actor: { channel: 'telegram', userId: String(m.from.id) },
    actorName: [m.from.first_name, m.from.last_name].filter(Boolean).join(' '),
    deliveryId: String(u.update_id),
    messageId: String(m.message_id),
    ...(m.reply_to_message ? { replyTo: String(m.reply_to_message.message_id) } : {}),
  };
  if (m.text !== undefined) event.text = m.text;
  else if (m.photo && m.photo.length > 0) {
    // The largest size; the caption, if any, travels as the text (an admin's announcement).
    event.photo = m.photo[m.photo.length - 1]!.file_id;
    event.text = m.caption ?? '';
  } else if (m.contact) event.contact = { phone: m.contact.phone_number };
  else if (m.location) event.location = { lat: m.location.latitude, lon: m.location.longitude };
  else event.unsupported = true;
  return event;
}

/** Whether a webhook body is an update at all (anything else is acknowledged and dropped). */
export function isUpdate(body: unknown): body is Update {
  return typeof body === 'object' && body !== null && typeof (body as { update_id?: unknown }).update_id === 'number';
}

/** A Bot API error as one of the few kinds delivery acts on. */
export function classify(e: unknown): SendFailure {
  if (e instanceof GrammyError) {
    if (e.error_code === 429) return new SendFailure('rate_limited', e.description, (e.parameters.retry_after ?? 1) * 1000);
    if (e.error_code === 403) return new SendFailure('blocked', e.description);
    if (e.error_code === 400 && /message is not modified/i.test(e.description)) return new SendFailure('not_modified', e.description);
    if (e.error_code >= 500) return new SendFailure('transient', e.description);
    return new SendFailure('permanent', `${e.error_code} ${e.description}`);
  }
  if (e instanceof HttpError) return new SendFailure('transient', e.message);
  return new SendFailure('transient', e instanceof Error ? e.message : String(e));
}
