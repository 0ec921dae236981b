import { beforeAll, describe, expect, it } from 'vitest';
import { containsPhrase, MessageNormalizer } from '../../src/domain/normalize.js';
import { foldText } from '../../src/domain/text.js';
import { EmergencyTriage, expand } from '../../src/domain/triage.js';
import { loadResources, Translator } from '../../src/i18n.js';
import { triageData } from '../../src/services/understanding.js';

const intents = loadResources().vi!.intents as { abbreviations: Record<string, string> };
const n = new MessageNormalizer(intents.abbreviations);

describe('MessageNormalizer', () => {
  it('folds diacritics, expands chat abbreviations and shortens stretched letters', () => {
    expect(n.normalize('vneid ko nhận đc OTP')).toBe('vneid khong nhan duoc otp');
    expect(n.normalize('tui muon lam CMND cho ba noi')).toBe('toi muon lam cccd cho ba noi');
    expect(n.normalize('làm căn cước tại nhà')).toBe('lam cccd tai nha');
    expect(n.normalize('cứuuuuu vớiiii')).toBe('cuu voi');
    expect(n.normalize('xoong nồi')).toBe('xoong noi');
    expect(n.normalize('cứu vs, cháy rồi!!!')).toBe('cuu voi chay roi');
  });

  it('gives what folding the whole text gives (the word cache changes nothing), on random and decomposed input', () => {
    // The normaliser as it was before words were cached: fold the whole text, then each word.
    const single = new Map<string, string>();
    const multi: [string, RegExp, string][] = [];
    const known = new Set<string>();
    for (const [short, long] of Object.entries(intents.abbreviations)) {
      const key = foldText(short);
      for (const w of foldText(long).split(' ')) known.add(w);
      if (key.includes(' ')) multi.push([key, new RegExp(`(^| )${key}(?= |$)`, 'g'), `$1${foldText(long)}`]);
      else single.set(key, foldText(long));
    }
    const squeeze = (w: string) => w.replace(/([a-z])\1{2,}/g, (_, c: string) => ('uoe'.includes(c) ? c + c : c));
    const reference = (text: string) => {
      let out = foldText(text)
        .split(' ')
        .map((w) => single.get(w) ?? (known.has(w) ? w : (single.get(squeeze(w)) ?? squeeze(w))))
        .join(' ');
      for (const [key, re, long] of multi) if (out.includes(key)) out = out.replace(re, long);
      return out;
    };
    const chars = 'aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ AĐÊÔ0123456789.,!?-_/()😀\u0301\u0323ﬁßæ²kodcr';
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const texts = ['Nhà tôi bị CHÁY rồi!!! 😀', 'lam can cuoc, the can cuoc', 'ko dc', 'cứuuuuu'];
    for (let i = 0; i < 3000; i++) {
      let t = '';
      for (let j = Math.floor(random() * 25); j > 0; j--) t += chars[Math.floor(random() * chars.length)];
      texts.push(t);
    }
    for (const text of texts) for (const form of [text, text.normalize('NFD')]) expect(n.normalize(form), JSON.stringify(form)).toBe(reference(form));
  });
});

describe('MessageNormalizer keeps words of the table whole', () => {
  it('does not squeeze a typed "cccd" into "cd", so it meets "căn cước" on the same word', () => {
    expect(n.normalize('lam cccd')).toBe('lam cccd');
    expect(n.normalize('lam CCCCD')).toBe('lam cd');
    expect(n.normalize('khongggg dcccc')).toBe('khong duoc');
  });
});

describe('MessageNormalizer.tokenize', () => {
  it('numbers sentences and clauses at the punctuation normalising removes', () => {
    const t = n.tokenize('Cháy rồi! Ông tôi, bà tôi. cứu');
    expect(t.words).toEqual(['chay', 'roi', 'ong', 'toi', 'ba', 'toi', 'cuu']);
    expect(t.sentences).toEqual([0, 0, 1, 1, 1, 1, 2]);
    expect(t.clauses).toEqual([0, 0, 1, 1, 2, 2, 3]);
  });

  it('keeps the listed words as typed and masks names, not words at the start of a sentence', () => {
    const t = n.tokenize('Xe buýt chạy qua, ông Nguyễn Văn Cứu. Cháy!', { keep: new Set(['chạy']), nameToken: '#' });
    expect(t.words).toEqual(['xe', 'buyt', 'chạy', 'qua', 'ong', '#', '#', '#', 'chay']);
    // A text typed in capitals has no names to find.
    expect(n.tokenize('CHÁY NHÀ CỨU VỚI', { nameToken: '#' }).words).toEqual(['chay', 'nha', 'cuu', 'voi']);
  });

  it('expands abbreviations inside a clause, never across a comma', () => {
    expect(n.tokenize('lam can cuoc').words).toEqual(['lam', 'cccd']);
    expect(n.tokenize('lam can, cuoc').words).toEqual(['lam', 'can', 'cuoc']);
  });
});

describe('containsPhrase', () => {
  it('matches whole words only', () => {
    expect(containsPhrase('nha toi chay roi', ['chay roi'])).toBe(true);
    expect(containsPhrase('nha toi chayroi', ['chay roi'])).toBe(false);
    expect(containsPhrase('khongchay', ['chay'])).toBe(false);
  });
});

describe('the emergency phrase rule (locales/vi/intents.json)', () => {
  let rule: EmergencyTriage;
  beforeAll(async () => {
    rule = new EmergencyTriage(n, triageData(await Translator.create('vi')));
  });

  it.each([
    ['chay nha roi cuu voi', ['114']],
    ['Nhà tôi bị cháy rồi!!!', ['114']],
    ['CỨU VỚI', ['114']],
    ['cuuuu toi voi co nguoi bi ket trong nha', ['114']],
    ['ro ri gas trong bep', ['114']],
    ['bình gas nhà tôi đang xì ra', ['114']],
    ['nha ben canh dang chay lon lam', ['114']],
    ['có mùi gas nồng quá', ['114']],
    ['ông tôi ngã bất tỉnh', ['115']],
    ['ba tôi méo miệng, nói không được', ['115']],
    ['co trom dang pha cua', ['113']],
  ])('recognises "%s"', (text, call) => {
    expect(rule.calls(text)).toEqual(call);
  });

  it.each([
    'toi muon di xe dua don',
    'ba toi an chay',
    'lam can cuoc tai nha cho ba noi',
    'hoc phong chay o dau',
    'Nguyễn Văn Cứu',
    'có lớp học pccc cho dân không',
    'cách phòng chập điện trong nhà',
    'huong dan phong chay cho gia dinh',
    'xe buýt chạy lúc mấy giờ',
    'kẹt xe',
    'bị giật điện thoại hôm qua, làm lại sim ở đâu',
  ])('does not raise an alarm for "%s"', (text) => {
    expect(rule.calls(text)).toBeUndefined();
  });

  it('keeps a word typed with its diacritics apart: "chạy" is not "cháy", "dưới" is not "đuối"', () => {
    expect(rule.calls('xe đang chạy')).toBeUndefined();
    expect(rule.calls('xe dang chay')).toEqual(['114']); // without diacritics it may be a fire: alarm
    expect(rule.calls('ngồi dưới nước mát lắm')).toBeUndefined();
    expect(rule.calls('có người đuối nước')).toEqual(['114']);
  });

  it('reads a negative of one number against that number only', () => {
    // "chảy máu" is not the fire in "bị cháy", but it is still bleeding.
    expect(rule.calls('con tôi bị chảy máu nhiều')).toEqual(['115']);
  });

  it('lets the past or a request explain a condition, not something happening now', () => {
    expect(rule.calls('ông bị đột quỵ năm ngoái, giờ muốn làm căn cước')).toBeUndefined();
    expect(rule.calls('ông vừa bị đột quỵ, năm ngoái cũng bị')).toEqual(['115']);
    expect(rule.run('bà bị tai biến, nằm liệt, làm cccd').cancelled).toBe(true);
  });

  it('reads a question about an emergency as a question', () => {
    expect(rule.calls('khi có cháy thì phải làm gì')).toBeUndefined();
    expect(rule.calls('cháy chung cư thì chạy lên hay xuống')).toBeUndefined();
    expect(rule.calls('ông tôi bất tỉnh, sơ cứu như thế nào')).toEqual(['115']);
  });

  it('expands word groups and refuses unknown ones', () => {
    expect(expand('{a} {b}', { a: ['x', 'y'], b: ['z'] })).toEqual(['x z', 'y z']);
    expect(() => expand('{nope} chay', {})).toThrow(/unknown word group/);
  });
});
