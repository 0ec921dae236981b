import { describe, expect, it } from 'vitest';
import { containsPhrase, MessageNormalizer } from '../../src/domain/normalize.js';
import { loadResources } from '../../src/i18n.js';

const intents = loadResources().vi!.intents as { abbreviations: Record<string, string>; emergency: string[] };
const n = new MessageNormalizer(intents.abbreviations);
const phrases = intents.emergency.map((p) => n.normalize(p));

describe('MessageNormalizer', () => {
  it('folds diacritics, expands chat abbreviations and shortens stretched letters', () => {
    expect(n.normalize('vneid ko nhận đc OTP')).toBe('vneid khong nhan duoc otp');
    expect(n.normalize('tui muon lam CMND cho ba noi')).toBe('toi muon lam cccd cho ba noi');
    expect(n.normalize('làm căn cước tại nhà')).toBe('lam cccd tai nha');
    expect(n.normalize('cứuuuuu vớiiii')).toBe('cuu voi');
    expect(n.normalize('xoong nồi')).toBe('xoong noi');
  });
});

describe('emergency phrases', () => {
  it.each([
    'chay nha roi cuu voi',
    'Nhà tôi bị cháy rồi!!!',
    'CỨU VỚI',
    'cuuuu toi voi co nguoi bi ket trong nha',
    'ro ri gas trong bep',
    'nha ben canh dang chay lon lam',
    'có mùi gas nồng quá',
  ])('recognises "%s"', (text) => {
    expect(containsPhrase(n.normalize(text), phrases)).toBe(true);
  });
  it.each(['toi muon di xe dua don', 'ba toi an chay', 'lam can cuoc tai nha cho ba noi', 'hoc phong chay o dau', 'Nguyễn Văn Cứu'])(
    'does not raise an alarm for "%s"',
    (text) => {
      expect(containsPhrase(n.normalize(text), phrases)).toBe(false);
    },
  );
});

describe('MessageNormalizer keeps words of the table whole', () => {
  it('does not squeeze a typed "cccd" into "cd", so it meets "căn cước" on the same word', () => {
    expect(n.normalize('lam cccd')).toBe('lam cccd');
    expect(n.normalize('lam CCCCD')).toBe('lam cd');
    expect(n.normalize('khongggg dcccc')).toBe('khong duoc');
  });
  it.each(['có lớp học pccc cho dân không', 'cách phòng chập điện trong nhà', 'huong dan phong chay cho gia dinh'])(
    'a fire-safety question is not an emergency: "%s"',
    (text) => {
      expect(containsPhrase(n.normalize(text), phrases)).toBe(false);
    },
  );
});
