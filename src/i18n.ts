import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n as I18n } from 'i18next';
import { isMsg, type Msg, type Param } from './domain/message.js';
import { escapeHtml } from './domain/text.js';

export const LANGUAGES = ['vi', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

export const LOCALES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../locales');

export class MissingTranslationError extends Error {}

const PLACEHOLDER = /{{\s*([\w.]+)\s*}}/g;

/** Reads locales/<lang>/<namespace>.json; the namespace is the file name. */
export function loadResources(dir = LOCALES_DIR): Record<string, Record<string, unknown>> {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const lang of readdirSync(dir)) {
    const langDir = path.join(dir, lang);
    resources[lang] = {};
    for (const file of readdirSync(langDir).filter((f) => f.endsWith('.json'))) {
      resources[lang][file.replace(/\.json$/, '')] = JSON.parse(readFileSync(path.join(langDir, file), 'utf8'));
    }
  }
  return resources;
}

/**
 * Renders messages to the small HTML subset Telegram accepts (<b>, <i>, <code>); plain-text
 * channels strip it. User data is escaped here, once, so a name like "<b>An</b>" or "A & B"
 * can never break formatting. A key that does not exist throws: a user never sees a raw key.
 */
export class Translator {
  // Option labels are rendered on every message to match typed answers: remember those.
  private readonly cache = new Map<string, string>();
  private readonly wordCache = new Map<string, string[]>();
  // Keys without parameters, and every key's text: fixed sets (the locales' keys), never cleared.
  private readonly bare = new Map<string, string>();
  private readonly templates = new Map<string, string | undefined>();

  private constructor(private readonly i18n: I18n, readonly defaultLang: Lang) {}

  static async create(defaultLang: Lang = 'vi'): Promise<Translator> {
    const resources = loadResources();
    const instance = i18next.createInstance();
    await instance.init({
      resources,
      lng: defaultLang,
      fallbackLng: false,
      ns: Object.keys(resources.vi ?? {}),
      defaultNS: 'common',
      nsSeparator: ':',
      keySeparator: '.',
      returnNull: false,
      interpolation: { escapeValue: false },
      initAsync: false,
      showSupportNotice: false,
    } as Parameters<I18n['init']>[0]);
    return new Translator(instance, defaultLang);
  }

  render(m: Msg, lang: Lang = this.defaultLang): string {
    // A bare key (most words of a page): looked up by its name alone.
    if (m.params === undefined && m.fallback === undefined) {
      const bare = `${lang}\u0000${m.key}`;
      const known = this.bare.get(bare);
      if (known !== undefined) return known;
      const text = this.renderUncached(m, lang);
      this.bare.set(bare, text);
      return text;
    }
    // Only text without user data is remembered: names, addresses and questions never stay here.
    if (!holdsNoUserText(m)) return this.renderUncached(m, lang);
    const cacheKey = `${lang}\u0000${JSON.stringify(m)}`;
    const hit = this.cache.get(cacheKey);
    if (hit !== undefined) return hit;
    const text = this.renderUncached(m, lang);
    if (this.cache.size >= 20_000) this.cache.clear();
    this.cache.set(cacheKey, text);
    return text;
  }

  private renderUncached(m: Msg, lang: Lang): string {
    const template = this.template(m.key, lang);
    if (template === undefined) {
      if (m.fallback !== undefined) return escapeHtml(m.fallback);
      throw new MissingTranslationError(`${lang}:${m.key}`);
    }
    const params = m.params;
    if (!params) return template;
    // What i18next's interpolation does for our locales (no plurals, nesting or formats): each
    // {{name}} replaced once by its value, an unknown name left as written.
    return template.replace(PLACEHOLDER, (all, name: string) => {
      const p = params[name];
      return p === undefined ? all : this.renderParam(p, lang);
    });
  }

  /** A key's text as the locale writes it, looked up once (i18next resolves the namespace and the path). */
  private template(key: string, lang: Lang): string | undefined {
    const id = `${lang}\u0000${key}`;
    if (this.templates.has(id)) return this.templates.get(id);
    const colon = key.indexOf(':');
    const v = (colon < 0 ? this.i18n.getResource(lang, 'common', key) : this.i18n.getResource(lang, key.slice(0, colon), key.slice(colon + 1))) as unknown;
    const text = typeof v === 'string' ? v : undefined;
    this.templates.set(id, text);
    return text;
  }

  renderAll(ms: Msg[], lang: Lang = this.defaultLang): string {
    return ms.map((m) => this.render(m, lang)).join('\n\n');
  }

  /** A list of phrases (e.g. words meaning "back"), for matching what people type. */
  words(key: string, lang: Lang = this.defaultLang): string[] {
    const cached = this.wordCache.get(`${lang}:${key}`);
    if (cached) return cached;
    const v = this.i18n.t(key, { lng: lang, returnObjects: true }) as unknown;
    if (!Array.isArray(v)) throw new MissingTranslationError(`${lang}:${key} (list)`);
    this.wordCache.set(`${lang}:${key}`, v as string[]);
    return v as string[];
  }

  /** A table from the locale files (e.g. abbreviations), for data the unit edits. */
  data<T>(key: string, lang: Lang = this.defaultLang): T {
    const v = this.i18n.t(key, { lng: lang, returnObjects: true }) as unknown;
    if (v === null || typeof v !== 'object') throw new MissingTranslationError(`${lang}:${key} (table)`);
    return v as T;
  }

  private renderParam(p: Param, lang: Lang): string {
    if (typeof p === 'string' || typeof p === 'number') return escapeHtml(String(p));
    if (isMsg(p)) return this.render(p, lang);
    const sep = p.sep === 'line' ? '\n' : this.render({ key: p.sep === 'and' ? 'common:list_and' : 'common:list_separator' }, lang);
    return p.items.map((x) => this.render(x, lang)).join(sep);
  }
}

/** A message whose parameters are numbers or other such messages, never a string someone typed. */
function holdsNoUserText(m: Msg): boolean {
  return Object.values(m.params ?? {}).every((p) => typeof p === 'number' || (isMsg(p) ? holdsNoUserText(p) : typeof p !== 'string' && p.items.every(holdsNoUserText)));
}
