import { describe, expect, it } from 'vitest';
import { MessageNormalizer } from '../../src/domain/normalize.js';
import { EmergencyTriage } from '../../src/domain/triage.js';

// Small made-up rule data: what the mechanism does, whatever the unit's phrases say.
const n = new MessageNormalizer({ ko: 'khong', mk: 'mat khau' });
const rule = new EmergencyTriage(n, {
  calls: { '114': ['đang cháy'], '115': ['không thở'] },
  help: ['cứu với', 'sos', 'ai cứu'],
  helpFor: { '115': ['cấp cứu với'], '114': ['gọi cứu hộ'] },
  notHelp: ['mật khẩu', 'vneid', 'chết máy'],
  hints: { '115': ['ngã'] },
});

describe('cries for help', () => {
  it('take the number they name, else the one the message hints at, else 114', () => {
    expect(rule.calls('cấp cứu với')).toEqual(['115']);
    expect(rule.calls('gọi cứu hộ')).toEqual(['114']);
    expect(rule.calls('cứu với')).toEqual(['114']);
    expect(rule.calls('cứu với, ông tôi ngã')).toEqual(['115']);
  });

  it('are a figure of speech in a sentence about a password or a car that will not start', () => {
    for (const text of ['cứu với, quên mật khẩu vneid', 'cấp cứu với, quên mk', 'xe chết máy giữa đường, ai cứu giùm', 'SOS vneid ko vào được']) {
      expect(rule.calls(text), text).toBeUndefined();
      // Seen and set aside: the model may not read an emergency from those words either.
      expect(rule.run(text), text).toMatchObject({ cancelled: true, hinted: [] });
    }
  });

  it('never lose an emergency phrase to such a word', () => {
    expect(rule.calls('cứu với, nhà đang cháy, quên mật khẩu vneid')).toEqual(['114']);
    expect(rule.calls('quên mật khẩu vneid mà bà tôi không thở')).toEqual(['115']);
  });

  it('standing alone as a sentence, take their meaning from the sentence next to them', () => {
    expect(rule.calls('SOS!!! Quên mật khẩu vneid rồi')).toBeUndefined();
    expect(rule.calls('Quên mật khẩu vneid. Cứu với!')).toBeUndefined();
    // A cry that says more in its own sentence stands: the password is another matter.
    expect(rule.calls('cứu với ông tôi ngã. quên mật khẩu vneid')).toEqual(['115']);
    // Two sentences away is another matter too.
    expect(rule.calls('Cứu với! Ông tôi ngã. Quên mật khẩu vneid')).toEqual(['115']);
  });
});

describe('words typed without their spaces', () => {
  const lexicon = new Map(['chay', 'nha', 'cuu', 'voi', 'lam', 'cccd', 'tai', 'toi', 'bi', 'roi', 'ho', 'ai', 'nhat', 'oi'].map((w) => [w, w === 'nhat' || w === 'oi' ? 1 : 10]));
  const split = new MessageNormalizer({ 'can cuoc': 'cccd' }, lexicon);

  it('are read as the words of the lexicon they are made of', () => {
    expect(split.normalize('chaynha cuuvoi')).toBe('chay nha cuu voi');
    expect(split.normalize('CHÁYNHÀ rồi')).toBe('chay nha roi');
    expect(split.normalize('nhatoibichay')).toBe('nha toi bi chay');
    expect(split.normalize('lamcccd tainha')).toBe('lam cccd tai nha');
    expect(split.normalize('chayyyynha')).toBe('chay nha');
  });

  it('keep the most used words when two splits are as short', () => {
    const often = (a: string[], b: string[]) => new Map([...a.map((w) => [w, 10] as const), ...b.map((w) => [w, 1] as const)]);
    expect(new MessageNormalizer({}, often(['can', 'hat'], ['ca', 'nhat'])).normalize('canhat')).toBe('can hat');
    expect(new MessageNormalizer({}, often(['ca', 'nhat'], ['can', 'hat'])).normalize('canhat')).toBe('ca nhat');
    // "nhat oi" is no split: a syllable without its consonant only starts a word.
    expect(split.normalize('nhatoi')).toBe('nha toi');
  });

  it('leave one syllable, words of the lexicon, codes and most foreign words as they are', () => {
    expect(split.normalize('hoài')).toBe('hoai');
    expect(split.normalize('vneid otp facebook root')).toBe('vneid otp facebook root');
    expect(split.normalize('cuu')).toBe('cuu');
  });

  it('change nothing without a lexicon', () => {
    expect(n.normalize('chaynha cuuvoi')).toBe('chaynha cuuvoi');
  });

  it('reach the emergency rule split', () => {
    const r = new EmergencyTriage(split, { calls: { '114': ['cháy nhà'] }, help: ['cứu với'] });
    expect(r.calls('chaynha cuuvoi')).toEqual(['114']);
  });
});

describe('after the second blind set (2026-12-01): the rule\'s new syntax', () => {
  const words = { poison: ['thuốc sâu', 'nấm'], sick: ['nôn ói', 'co giật'], car: ['xe', 'ô tô'], hit: ['tông', 'đâm'] };
  const r = new EmergencyTriage(n, {
    words,
    calls: { '114': ['mắc kẹt'] },
    conditions: { '114': ['điện giật', 'cây đổ trúng'], '115': ['ăn {poison} …, {sick}', 'không thở', 'chảy máu'], '113': ['!{car} {hit} … bỏ chạy'] },
    helpFor: { '115': ['^cấp cứu$'] },
    not: ['cấp cứu', 'rồi xong'],
    notFor: { '113': ['{car} {hit}', 'đâm xe'] },
    doneFor: { '114': ['đã kéo ra', 'đã tách ra'] },
    unless: ['năm ngoái'],
  });

  it('"a …, b" lets b come later in the same sentence, past commas, never in the next sentence', () => {
    expect(r.calls('cả nhà ăn nấm rừng, giờ nôn ói')).toEqual(['115']);
    expect(r.calls('ăn nấm rừng, tối về thấy mệt, giờ co giật')).toEqual(['115']);
    expect(r.calls('ăn nấm rừng. Hôm qua con tôi nôn ói')).toBeUndefined();
    // The words between are another clause's: a negative there does not cancel it.
    expect(r.calls('ăn nấm rừng, rồi xong, giờ nôn ói')).toEqual(['115']);
    expect(r.run('ăn nấm rừng, giờ nôn ói').matched).toEqual(['an nam …, non oi']);
    // Still a condition: the past explains it.
    expect(r.calls('năm ngoái ăn nấm rừng, nôn ói')).toBeUndefined();
  });

  it('keeps a phrase that is the whole clause though a negative is the same words', () => {
    expect(r.calls('cấp cứu')).toEqual(['115']);
    expect(r.calls('CẤP CỨU!!!')).toEqual(['115']);
    expect(r.calls('mẹ tôi đã cấp cứu xong')).toBeUndefined();
  });

  it('drops a number whose part is over while another number is still needed', () => {
    expect(r.calls('bị điện giật, đã tách ra rồi nhưng không thở')).toEqual(['115']);
    expect(r.calls('cây đổ trúng, đã kéo ra, chảy máu')).toEqual(['115']);
    // Alone it stays: better a call too many than none.
    expect(r.calls('bị điện giật, đã tách ra rồi')).toEqual(['114']);
    // Never an emergency phrase: someone still trapped needs 114.
    expect(r.calls('đã kéo ra 1 người, còn 1 người mắc kẹt, chảy máu')).toEqual(['114', '115']);
  });

  it('"!" keeps a phrase whatever negative overlaps it', () => {
    expect(r.calls('ô tô tông xe máy rồi bỏ chạy')).toEqual(['113']);
    expect(r.calls('xe đâm xe máy xong bỏ chạy luôn')).toEqual(['113']);
  });

  it('reads the plain words for the model in the same pass', () => {
    for (const text of ['Nhà Tôi Bị Cháy', 'ông Nguyễn Văn Cứu bị ngã, ko dậy dc', 'Trần Thị Cháy', 'cháy túi rồi, sdt tôi đây']) {
      const { result, plain } = r.runWithWords(text);
      expect(plain, text).toEqual(n.tokenize(text));
      expect(result, text).toEqual(r.run(text));
    }
  });
});
