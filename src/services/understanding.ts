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
  const abbreviations = translator.data<Record<string, string>>('intents:abbreviations', 'vi');
  const triage = triageData(translator);
  const data: IntentData = { training: {}, emergency: triage, evidence: {}, scam: { always: [], who: [], what: [] }, elsewhere: { where: [], what: [], not: [] } };
  for (const lang of LANGUAGES) {
    const scam = table(translator.data<unknown>('intents:scam_rule', lang));
    data.scam!.always.push(...list(scam.always));
    data.scam!.who.push(...list(scam.who));
    data.scam!.what.push(...list(scam.what));
    const elsewhere = table(translator.data<unknown>('intents:elsewhere_rule', lang));
    data.elsewhere!.where.push(...list(elsewhere.where));
    data.elsewhere!.what.push(...list(elsewhere.what));
    data.elsewhere!.not.push(...list(elsewhere.not));
    merge(data.training, translator.data<Partial<Record<Intent, string[]>>>('intents:training', lang));
    merge(data.evidence, translator.data<Partial<Record<Intent, string[]>>>('intents:evidence', lang));
  }
  const normalizer = new MessageNormalizer(abbreviations, lexicon(new MessageNormalizer(abbreviations), data, triage));
  return { classifier: new IntentClassifier(normalizer, data), guide: new GuideCatalog(translator, normalizer) };
}

/**
 * Every normalised word of the unit's phrases (training, evidence, scam and emergency phrases and
 * word groups), with how often it appears: what a word typed without its spaces is split into.
 */
function lexicon(plain: MessageNormalizer, data: IntentData, triage: TriageData): Map<string, number> {
  const out = new Map<string, number>();
  const add = (phrases: readonly string[] | undefined) => {
    for (const p of phrases ?? []) {
      for (const w of plain.normalize(p.replace(/\{[^}]*\}/g, ' ')).split(' ')) if (w !== '') out.set(w, (out.get(w) ?? 0) + 1);
    }
  };
  for (const phrases of Object.values(data.training)) add(phrases);
  for (const phrases of Object.values(data.evidence)) add(phrases);
  add(data.scam?.always);
  add(data.scam?.who);
  add(data.scam?.what);
  add(data.elsewhere?.where);
  add(data.elsewhere?.what);
  add(data.elsewhere?.not);
  for (const c of EMERGENCY_CALLS) for (const lists of [triage.calls, triage.conditions, triage.hints, triage.notFor, triage.helpFor, triage.doneFor]) add(lists?.[c]);
  for (const phrases of Object.values(triage.words)) add(phrases);
  for (const phrases of [triage.help, triage.not, triage.hypothetical, triage.hypotheticalAfter, triage.notHypothetical, triage.unless, triage.urgent, triage.notHelp]) add(phrases);
  return out;
}

/**
 * The emergency rule's data of every language: `intents:emergency` holds the phrases per number
 * (`114`, `115`, `113`), `help` and `help_for` (cries naming a number); `intents:emergency_rule`
 * the conditions, word groups, negatives, hypothetical, past and urgent words, hints, words that
 * make a cry for help a figure of speech (`not_help`), words that say a number's part is over
 * (`done_for`) and words kept apart by their diacritics.
 */
export function triageData(translator: Translator): TriageData {
  const out: TriageData = {
    calls: {},
    conditions: {},
    help: [],
    helpFor: {},
    notHelp: [],
    words: {},
    not: [],
    notFor: {},
    doneFor: {},
    hypothetical: [],
    hypotheticalAfter: [],
    notHypothetical: [],
    unless: [],
    urgent: [],
    hints: {},
    distinct: [],
    surnames: [],
  };
  for (const lang of LANGUAGES) {
    const phrases = translator.data<Record<string, unknown>>('intents:emergency', lang);
    const rule = translator.data<Record<string, unknown>>('intents:emergency_rule', lang);
    for (const call of EMERGENCY_CALLS) {
      out.calls[call] = [...(out.calls[call] ?? []), ...list(phrases[call])];
      out.conditions[call] = [...(out.conditions[call] ?? []), ...list(table(rule.conditions)[call])];
      out.hints[call] = [...(out.hints[call] ?? []), ...list(table(rule.hints)[call])];
      out.notFor[call] = [...(out.notFor[call] ?? []), ...list(table(rule.not_for)[call])];
      out.doneFor![call] = [...(out.doneFor![call] ?? []), ...list(table(rule.done_for)[call])];
      out.helpFor![call] = [...(out.helpFor![call] ?? []), ...list(table(phrases.help_for)[call])];
    }
    out.help.push(...list(phrases.help));
    out.notHelp!.push(...list(rule.not_help));
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
