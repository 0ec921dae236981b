import path from 'node:path';
import { Eta } from 'eta';
import { formatVnDate, formatVnDateTime } from '../domain/dates.js';
import { dayMsg } from '../domain/visit.js';
import { msg, type Param } from '../domain/message.js';
import type { Translator } from '../i18n.js';

const TEMPLATES = path.join(import.meta.dirname, 'templates');

/** What every page may use: words from the locales, dates the Vietnamese way, the form token. */
export interface PageHelpers {
  /** A locale string as HTML: its parameters (user data) escaped, its own markup kept. */
  t(key: string, params?: Record<string, Param>): string;
  date(iso: string): string;
  /** "thứ Bảy 05/12/2026". */
  day(iso: string): string;
  time(ms: number): string;
  csrf: string;
  lang: string;
}

/**
 * The console's pages: eta templates under src/web/templates, escaping every interpolation
 * unless a template asks for raw HTML (only ever the output of `t`, whose parameters the
 * translator escapes). Templates hold markup and locale keys, never words.
 */
export class Views {
  private readonly eta: Eta;

  constructor(private readonly translator: Translator, o: { cache: boolean }) {
    this.eta = new Eta({ views: TEMPLATES, autoEscape: true, cache: o.cache, autoTrim: [false, 'nl'] });
  }

  helpers(csrf: string): PageHelpers {
    const t = (key: string, params?: Record<string, Param>) => this.translator.render(msg(key, params));
    return {
      t,
      date: (iso) => formatVnDate(iso),
      day: (iso) => this.translator.render(dayMsg(iso)),
      time: (ms) => formatVnDateTime(ms),
      csrf,
      lang: this.translator.defaultLang,
    };
  }

  render(template: string, data: object): string {
    return this.eta.render(template, data);
  }
}
