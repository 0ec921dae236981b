import { describe, expect, it } from 'vitest';
import { splitHtml, visibleLength } from '../../src/channels/telegram/render.js';

const balanced = (html: string) => (html.match(/<[a-z]+>/g) ?? []).length === (html.match(/<\/[a-z]+>/g) ?? []).length;
const shown = (html: string) => html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();

describe('Telegram pieces are measured as Telegram measures them', () => {
  it('text that escapes past 4,096 characters but shows fewer stays one message', () => {
    // 1,200 "<" typed by someone escape to 4,800 characters of HTML; Telegram shows 1,200 + the rest.
    const html = `📋 <b>TB-7K3Q</b> · Xe đưa đón\n📝 ${'&lt;'.repeat(1200)}\n📍 Ấp Bình Lợi`;
    expect(html.length).toBeGreaterThan(4096);
    expect(visibleLength(html)).toBeLessThan(4096);
    expect(splitHtml(html, 4096)).toEqual([html]);
  });

  it('a long text is cut outside tags and entities, each piece within the limit and valid', () => {
    const para = (i: number) => `<b>Mục ${i}</b>: ${'chữ &amp; số '.repeat(30)}<i>ghi chú</i>.`;
    const html = Array.from({ length: 40 }, (_, i) => para(i)).join('\n');
    const pieces = splitHtml(html, 1000);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) {
      expect(visibleLength(p)).toBeLessThanOrEqual(1000);
      expect(balanced(p)).toBe(true);
      expect(p).not.toMatch(/&[a-z]*$/);
      expect(p).not.toMatch(/<[^>]*$/);
    }
    expect(shown(pieces.join(' '))).toBe(shown(html));
  });

  it('a text without any break is still cut within the limit, never inside an entity', () => {
    const html = '&lt;'.repeat(5000);
    const pieces = splitHtml(html, 4096);
    expect(pieces.map(visibleLength)).toEqual([4096, 904]);
    expect(pieces.every((p) => /^(&lt;)+$/.test(p))).toBe(true);
  });
});
