/**
 * What the bot says, before it is put into words: a locale key and its parameters. Dialogs
 * return these; only the renderer turns them into text, so no user-facing string lives in src/.
 * A parameter is user data (escaped when rendered) or another message (rendered first).
 */
export type Param = string | number | Msg | ListParam;

/** Several messages shown as one value: one per line, or separated by commas. */
export interface ListParam {
  items: Msg[];
  sep: 'line' | 'comma' | 'and';
}

export interface Msg {
  key: string;
  params?: Record<string, Param>;
  /** Shown when the locale has no such key (a channel's name the locales do not list). */
  fallback?: string;
}

export function msg(key: string, params?: Record<string, Param>): Msg {
  return params ? { key, params } : { key };
}

/** A message that may not exist in the locales: `fallback` (user-safe text) is shown then. */
export function msgOr(key: string, fallback: string): Msg {
  return { key, fallback };
}

export function list(items: Msg[], sep: ListParam['sep']): ListParam {
  return { items, sep };
}

export function isMsg(p: Param): p is Msg {
  return typeof p === 'object' && 'key' in p;
}
