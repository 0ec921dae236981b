import { readFileSync } from 'node:fs';
import type { OaNotice } from './render.js';

/**
 * The OA's approved templates, for notices outside the 7-day window: a JSON file mapping a
 * message key (the notice's first line, e.g. "notify:assigned") to the template payload Zalo
 * approved, with `{name}` where a parameter of that message goes and `{text}` for the whole
 * notice. "*" applies to any key without its own. No file: nothing is sent outside the window.
 */
export type OaTemplates = ReadonlyMap<string, Record<string, unknown>>;

export class OaTemplateError extends Error {}

export function loadOaTemplates(file: string | undefined): OaTemplates {
  if (!file) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new OaTemplateError(`ZALO_OA_TEMPLATES_FILE ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isRecord(parsed)) throw new OaTemplateError(`ZALO_OA_TEMPLATES_FILE ${file}: must be a JSON object of message key → template payload`);
  const out = new Map<string, Record<string, unknown>>();
  for (const [key, payload] of Object.entries(parsed)) {
    if (!isRecord(payload) || typeof payload.template_type !== 'string') {
      throw new OaTemplateError(`ZALO_OA_TEMPLATES_FILE ${file}: "${key}" needs a payload with template_type, as Zalo approved it`);
    }
    out.set(key, payload);
  }
  return out;
}

/** The template payload for a notice, its placeholders filled; undefined when none is configured. */
export function templateFor(templates: OaTemplates, n: OaNotice): Record<string, unknown> | undefined {
  const payload = templates.get(n.key) ?? templates.get('*');
  if (!payload) return undefined;
  const values: Record<string, string> = { ...n.params, text: n.text };
  return fill(payload, values) as Record<string, unknown>;
}

function fill(v: unknown, values: Record<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '');
  if (Array.isArray(v)) return v.map((x) => fill(x, values));
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, values)]));
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
