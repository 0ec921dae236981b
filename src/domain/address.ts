/**
 * Where a message goes and who did something, on any channel. A channel id is a plain string
 * (`telegram`, `zalo`, `zalo_oa`, `console`, or one a test registers): the domain does not know
 * the list, so adding a channel touches nothing here.
 */
export type ChannelId = string;

export type AddressKind = 'private' | 'group';

export interface Address {
  channel: ChannelId;
  chatId: string;
  kind: AddressKind;
}

export interface Actor {
  channel: ChannelId;
  userId: string;
}

export function address(channel: ChannelId, chatId: string, kind: AddressKind = 'private'): Address {
  return { channel, chatId, kind };
}

/** "telegram:42": the key a chat is known by in storage (state, pacing, reachability). */
export function addressKey(a: Pick<Address, 'channel' | 'chatId'>): string {
  return `${a.channel}:${a.chatId}`;
}

export function actorKey(a: Actor): string {
  return `${a.channel}:${a.userId}`;
}

/** Every channel we speak has private chats whose id is the user's id. */
export function directAddress(a: Actor): Address {
  return { channel: a.channel, chatId: a.userId, kind: 'private' };
}

/**
 * "zalo:123", "telegram:-100…", or a bare id (Telegram, as the settings always meant). Only the
 * first colon separates: chat ids may hold colons of their own.
 */
export function parseChannelRef(ref: string, defaultChannel: ChannelId): { channel: ChannelId; id: string } | undefined {
  const s = ref.trim();
  const m = /^([a-z][a-z0-9_-]*):(.+)$/.exec(s);
  if (m) return { channel: m[1]!, id: m[2]! };
  return s === '' ? undefined : { channel: defaultChannel, id: s };
}
