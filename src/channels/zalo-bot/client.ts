import { post } from '../http.js';

/**
 * A small typed client for the Zalo Bot Platform HTTP API (official, Telegram-like):
 * `<apiRoot>/bot<TOKEN>/<method>`, JSON in, `{ok, result}` out. No maintained npm client exists;
 * the personal-account library zca-js impersonates a person and risks bans, so it is not used.
 */
export interface ZaloUpdate {
  event_name: 'message.text.received' | 'message.image.received' | 'message.sticker.received' | 'message.unsupported.received' | string;
  message: {
    message_id: string;
    from: { id: string; display_name?: string; is_bot?: boolean };
    chat: { id: string; chat_type: 'PRIVATE' | 'GROUP' | string };
    date: number;
    text?: string;
    photo_url?: string;
    caption?: string;
    sticker?: string;
  };
}

export class ZaloApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly retryAfterMs = 0,
  ) {
    super(`zalo ${status}: ${description}`);
  }
}

/** Zalo limits a text message to 2,000 characters. */
export const ZALO_TEXT_MAX = 2000;

export class ZaloClient {
  constructor(
    private readonly token: string,
    private readonly apiRoot: string,
  ) {}

  async call<T>(method: string, params: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
    const res = await post(`${this.apiRoot}/bot${this.token}/${method}`, { 'content-type': 'application/json' }, JSON.stringify(params), signal);
    const body = (await res.json().catch(() => ({}))) as { ok?: boolean; result?: T; description?: string; error_code?: number; parameters?: { retry_after?: number } };
    if (!res.ok || body.ok === false) {
      const retryAfter = Number(body.parameters?.retry_after ?? res.header('retry-after') ?? 0) * 1000;
      throw new ZaloApiError(body.error_code ?? res.status, body.description ?? res.statusText, retryAfter);
    }
    return body.result as T;
  }

  getMe() {
    return this.call<{ id: string; account_name?: string; display_name?: string }>('getMe');
  }

  /** One update, or undefined when the long poll timed out (HTTP 408). */
  async getUpdate(timeoutSeconds: number, signal?: AbortSignal): Promise<ZaloUpdate | undefined> {
    try {
      const result = await this.call<ZaloUpdate | ZaloUpdate[] | null>('getUpdates', { timeout: timeoutSeconds }, signal);
      // Documented as one update; accept a list too rather than drop messages.
      return Array.isArray(result) ? result[0] : (result ?? undefined);
    } catch (e) {
      if (e instanceof ZaloApiError && e.status === 408) return undefined;
      throw e;
    }
  }

  setWebhook(url: string, secretToken: string) {
    return this.call<boolean>('setWebhook', { url, secret_token: secretToken });
  }

  deleteWebhook() {
    return this.call<boolean>('deleteWebhook');
  }

  getWebhookInfo() {
    return this.call<{ url?: string }>('getWebhookInfo');
  }

  sendMessage(chatId: string, text: string) {
    return this.call<{ message_id?: string }>('sendMessage', { chat_id: chatId, text });
  }

  sendPhoto(chatId: string, photoUrl: string, caption?: string) {
    return this.call<{ message_id?: string }>('sendPhoto', { chat_id: chatId, photo: photoUrl, ...(caption ? { caption } : {}) });
  }

  sendChatAction(chatId: string, action: 'typing' = 'typing') {
    return this.call<boolean>('sendChatAction', { chat_id: chatId, action });
  }
}

/** Webhook bodies come wrapped in `{ok, result}` or flat: both mean the same update. */
export function unwrapUpdate(body: unknown): ZaloUpdate | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { result?: unknown; event_name?: unknown; message?: unknown };
  const u = (b.result && typeof b.result === 'object' ? b.result : b) as Partial<ZaloUpdate>;
  return typeof u.event_name === 'string' && u.message && typeof u.message === 'object' ? (u as ZaloUpdate) : undefined;
}
