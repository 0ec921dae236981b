import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLARIFY_BELOW, type IntentClassifier } from '../../src/domain/intent.js';
import { MessageNormalizer } from '../../src/domain/normalize.js';
import { foldText } from '../../src/domain/text.js';
import { LANGUAGES, loadResources, Translator } from '../../src/i18n.js';
import { createClassifier } from '../../src/services/understanding.js';
import { readLabelled } from '../intents/labelled.js';

const set = readLabelled();
let classifier: IntentClassifier;
beforeAll(async () => {
  classifier = createClassifier(await Translator.create('vi'));
});

describe('the labelled set', () => {
  it('has at least 300 messages, typed with and without diacritics, short and long', () => {
    expect(set.length).toBeGreaterThanOrEqual(300);
    const plain = set.filter((m) => m.text === foldText(m.text)).length;
    expect(plain).toBeGreaterThan(80);
    expect(set.length - plain).toBeGreaterThan(80);
    expect(set.filter((m) => m.text.split(' ').length <= 2).length).toBeGreaterThan(10);
    expect(set.filter((m) => m.text.length > 100).length).toBeGreaterThan(3);
  });

  it('is held out: no message is a training phrase', () => {
    const resources = loadResources();
    const n = new MessageNormalizer((resources.vi!.intents as { abbreviations: Record<string, string> }).abbreviations);
    const training = new Set(
      LANGUAGES.flatMap((lang) => Object.values((resources[lang]!.intents as { training: Record<string, string[]> }).training).flat()).map((p) => n.normalize(p)),
    );
    expect(set.filter((m) => training.has(n.normalize(m.text))).map((m) => m.text)).toEqual([]);
  });
});

describe('intent classifier on the held-out set', () => {
  it('is at least 92 % accurate', () => {
    const wrong = set.filter((m) => classifier.classify(m.text).intent !== m.label);
    expect(1 - wrong.length / set.length).toBeGreaterThanOrEqual(0.92);
  });

  it('misses no emergency', () => {
    const missed = set.filter((m) => m.label === 'emergency' && classifier.classify(m.text).intent !== 'emergency');
    expect(missed.map((m) => m.text)).toEqual([]);
  });

  it('never reads an unrelated message as a request for a visit or a ride', () => {
    const guessed = set.filter((m) => m.label === 'other' && ['home_cccd', 'ride'].includes(classifier.classify(m.text).intent));
    expect(guessed.map((m) => m.text)).toEqual([]);
  });

  it('needs a word about documents or transport before it reads a request', () => {
    // Close in words to a ride request, but nothing about a car, a lift or an ID card.
    expect(['home_cccd', 'ride']).not.toContain(classifier.classify('nho ong ba toi voi').intent);
    expect(classifier.classify('nho xe dua ong ba toi di lam cccd').intent).toBe('ride');
  });

  it('gives nothing it cannot read to "other" with no confidence', () => {
    expect(classifier.classify('😀😀 !!!')).toMatchObject({ intent: 'other', confidence: 0 });
  });

  it('is unsure between two readings of an ambiguous message', () => {
    const r = classifier.classify('lam cccd tai nha hay xe dua');
    expect(r.ranked.slice(0, 2).map((x) => x.intent).sort()).toEqual(['home_cccd', 'ride']);
    expect(r.confidence).toBeLessThan(CLARIFY_BELOW);
  });
});

describe('npm run --silent classify', () => {
  it('prints one JSON line per input line', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const out = spawnSync('npm', ['run', '--silent', 'classify'], {
      cwd: root,
      input: 'vneid ko nhan dc otp\n\nchay nha roi cuu voi\n',
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.status).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { text: string; intent: string; confidence: number });
    expect(lines.map((l) => [l.text, l.intent])).toEqual([
      ['vneid ko nhan dc otp', 'vneid'],
      ['chay nha roi cuu voi', 'emergency'],
    ]);
    for (const l of lines) {
      expect(l.confidence).toBeGreaterThanOrEqual(0);
      expect(l.confidence).toBeLessThanOrEqual(1);
    }
  });
});
