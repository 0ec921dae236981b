import type { Msg, Param } from '../domain/message.js';
import { foldText } from '../domain/text.js';

/** A fault on a form or in an imported file: a locale key and what it names (a field, a row). */
export interface Problem {
  key: string;
  params?: Record<string, Param>;
}

/** Faults by the form field they belong to (`form` or `file` for the whole). */
export type FieldErrors = Record<string, Problem>;

export type FormResult<T = undefined> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** The first fault of each field, from schema issues whose messages are locale keys. */
export function issuesToErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[], fallback: string): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) out[String(i.path[0] ?? 'form')] ??= { key: i.message.startsWith('admin:') ? i.message : fallback };
  return out;
}

/** A locale key as a message parameter (it is rendered inside the outer message). */
export const asMsg = (key: string): Msg => ({ key });

/** "Tổ Đoàn Thanh niên" → "to-doan-thanh-nien": a short id for button data, unique among `taken`. */
export function slugFor(name: string, taken: ReadonlySet<string>, max = 30): string {
  const base = foldText(name).replace(/\s+/g, '-').slice(0, max).replace(/-+$/, '') || 'x';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base.slice(0, max - String(n).length - 1)}-${n}`;
  return id;
}
