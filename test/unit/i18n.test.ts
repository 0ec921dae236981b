import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../src/core/ports.js';
import { loadResources, LOCALES_DIR, MissingTranslationError, Translator } from '../../src/i18n.js';

function flatten(obj: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) for (const [kk, vv] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
  } else out.set(prefix, obj);
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const resources = loadResources();
const keysOf = (lang: string) => {
  const keys = new Map<string, unknown>();
  for (const [ns, tree] of Object.entries(resources[lang] ?? {})) for (const [k, v] of flatten(tree)) keys.set(`${ns}:${k}`, v);
  return keys;
};
const vi = keysOf('vi');
const en = keysOf('en');

describe('locales', () => {
  it('vi and en have exactly the same keys', () => {
    expect([...en.keys()].filter((k) => !vi.has(k))).toEqual([]);
    expect([...vi.keys()].filter((k) => !en.has(k))).toEqual([]);
  });

  it('vi and en use the same interpolation variables in each string', () => {
    const vars = (v: unknown) => [...String(v).matchAll(/{{\s*([\w.]+)\s*}}/g)].map((m) => m[1]).sort();
    for (const [k, v] of vi) expect(vars(en.get(k)), k).toEqual(vars(v));
  });

  it('every key src/ names literally exists, and every template key prefix exists', () => {
    const files = sourceFiles(path.resolve(LOCALES_DIR, '../src'));
    const missing: string[] = [];
    for (const file of files) {
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/(?:msg\(|key: |render\(\{ key: |words\()\s*'([a-z_]+:[\w.]+)'/g)) {
        const key = m[1]!;
        if (![...vi.keys()].some((k) => k === key || k.startsWith(`${key}.`))) missing.push(`${path.basename(file)}: ${key}`);
      }
      for (const m of code.matchAll(/msg\(\s*`([a-z_]+:[\w.]*)\$\{/g)) {
        if (![...vi.keys()].some((k) => k.startsWith(m[1]!))) missing.push(`${path.basename(file)}: ${m[1]}…`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('src/ holds no Vietnamese user-facing text: it lives in locales/', () => {
    const vietnamese = /['"`][^'"`\n]*[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ][^'"`\n]*['"`]/i;
    const offenders: string[] = [];
    for (const file of sourceFiles(path.resolve(LOCALES_DIR, '../src'))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$|^\s*\*.*$|\/\*\*.*$/, '');
          if (vietnamese.test(code)) offenders.push(`${path.basename(file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});

const TEMPLATES = path.resolve(LOCALES_DIR, '../src/web/templates');
const templates = readdirSync(TEMPLATES).filter((f) => f.endsWith('.eta')).map((f) => ({ name: f, text: readFileSync(path.join(TEMPLATES, f), 'utf8') }));

describe('web console templates', () => {
  it('hold markup and locale keys, never words: all text comes from locales/', () => {
    const words: string[] = [];
    for (const { name, text } of templates) {
      const bare = text
        .replace(/<%[\s\S]*?%>/g, ' ')
        .replace(/<!--[\s\S]*?-->/g, ' ')
        .replace(/<[^>]*>/g, ' ')
        .replace(/&[a-z]+;|&#\d+;/g, ' ');
      // Left: arrows, emoji and punctuation between tags ("←", "·", "📞"), nothing with a letter.
      for (const m of bare.matchAll(/[\p{L}]{2,}/gu)) words.push(`${name}: ${m[0]}`);
    }
    expect(words).toEqual([]);
  });

  it('every key a template names exists (a prefix joined with a value: some key under it)', () => {
    const missing: string[] = [];
    for (const { name, text } of templates) {
      for (const m of text.matchAll(/it\.t\(\s*'([a-z_]+:[\w.]+)'\s*[,)]/g)) if (!vi.has(m[1]!)) missing.push(`${name}: ${m[1]}`);
      for (const m of text.matchAll(/it\.t\(\s*'([a-z_]+:[\w.]+\.)'\s*\+/g)) if (![...vi.keys()].some((k) => k.startsWith(m[1]!))) missing.push(`${name}: ${m[1]}…`);
    }
    expect(missing).toEqual([]);
  });

  it('every audited action has words in the history of a request', () => {
    expect(AUDIT_ACTIONS.filter((a) => !vi.has(`web:action.${a}`))).toEqual([]);
  });
});

describe('Translator', () => {
  it('throws on a key that does not exist, so no raw key reaches a person', async () => {
    const t = await Translator.create('vi');
    expect(() => t.render({ key: 'intake:nope' })).toThrow(MissingTranslationError);
    expect(() => t.render({ key: 'common:nav.back' }, 'en')).not.toThrow();
  });

  it('escapes user data but not nested messages', async () => {
    const t = await Translator.create('vi');
    const out = t.render({ key: 'intake:summary.name', params: { value: '<b>An</b> & Bình' } });
    expect(out).toBe('Họ tên: &lt;b&gt;An&lt;/b&gt; &amp; Bình');
    const nested = t.render({ key: 'intake:summary.type', params: { value: { key: 'intake:type.home' } } });
    expect(nested).toBe('Việc: Làm CCCD tại nhà');
  });

  it('the locales directory holds vi and en', () => {
    expect(readdirSync(LOCALES_DIR).sort()).toEqual(['en', 'vi']);
  });
});
