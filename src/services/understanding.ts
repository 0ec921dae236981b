import { EMERGENCY_CALLS, type Intent, IntentClassifier, type IntentData, type TriageData } from '../domain/intent.js';
import { MessageNormalizer } from '../domain/normalize.js';
import { LANGUAGES, type Translator } from '../i18n.js';
import { GuideCatalog } from './guide.js';

/**
 * Builds the classifier from the locale data: Vietnamese abbreviations, and the training
 * phrases, emergency phrases and evidence words of every language together (people type
 * Vietnamese whatever language they read; a few type English).
 */
export function createClassifier(translator: Translator): IntentClassifier {
  return createUnderstanding(translator).classifier;
}

/** The classifier and the guidance catalogue, sharing one normaliser. */
export function createUnderstanding(translator: Translator): { classifier: IntentClassifier; guide: GuideCatalog } {
  const normalizer = new MessageNormalizer(translator.data<Record<string, string>>('intents:abbreviations', 'vi'));
  const data: IntentData = { training: {}, emergency: triageData(translator), evidence: {}, scam: { always: [], who: [], what: [] } };
  for (const lang of LANGUAGES) {
    const scam = table(translator.data<unknown>('intents:scam_rule', lang));
    data.scam!.always.push(...list(scam.always));
    data.scam!.who.push(...list(scam.who));
    data.scam!.what.push(...list(scam.what));
    merge(data.training, translator.data<Partial<Record<Intent, string[]>>>('intents:training', lang));
    merge(data.evidence, translator.data<Partial<Record<Intent, string[]>>>('intents:evidence', lang));
  }
  return { classifier: new IntentClassifier(normalizer, data), guide: new GuideCatalog(translator, normalizer) };
}

/**
 * The emergency rule's data of every language: `intents:emergency` holds the phrases per number
 * (`114`, `115`, `113`) and `help`; `intents:emergency_rule` the conditions, word groups,
 * negatives, hypothetical, past and urgent words, hints and words kept apart by their diacritics.
 */
export function triageData(translator: Translator): TriageData {
  const out: TriageData = { calls: {}, conditions: {}, help: [], words: {}, not: [], notFor: {}, hypothetical: [], hypotheticalAfter: [], notHypothetical: [], unless: [], urgent: [], hints: {}, distinct: [], surnames: [] };
  for (const lang of LANGUAGES) {
    const phrases = translator.data<Record<string, unknown>>('intents:emergency', lang);
    const rule = translator.data<Record<string, unknown>>('intents:emergency_rule', lang);
    for (const call of EMERGENCY_CALLS) {
      out.calls[call] = [...(out.calls[call] ?? []), ...list(phrases[call])];
      out.conditions[call] = [...(out.conditions[call] ?? []), ...list(table(rule.conditions)[call])];
      out.hints[call] = [...(out.hints[call] ?? []), ...list(table(rule.hints)[call])];
      out.notFor[call] = [...(out.notFor[call] ?? []), ...list(table(rule.not_for)[call])];
    }
    out.help.push(...list(phrases.help));
    for (const [group, words] of Object.entries(table(rule.words))) out.words[group] = [...(out.words[group] ?? []), ...list(words)];
    out.not.push(...list(rule.not));
    out.hypothetical.push(...list(rule.hypothetical));
    out.hypotheticalAfter.push(...list(rule.hypothetical_after));
    out.notHypothetical.push(...list(rule.not_hypothetical));
    out.unless.push(...list(rule.unless));
    out.urgent.push(...list(rule.urgent));
    out.distinct.push(...list(rule.distinct));
    out.surnames.push(...list(rule.surnames));
  }
  return out;
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function table(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function merge(into: Partial<Record<Intent, string[]>>, from: Partial<Record<Intent, string[]>>): void {
  for (const [label, phrases] of Object.entries(from) as [Intent, string[]][]) into[label] = [...(into[label] ?? []), ...phrases];
}
