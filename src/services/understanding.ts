import { type Intent, IntentClassifier, type IntentData } from '../domain/intent.js';
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
  const data: IntentData = { training: {}, emergency: [], evidence: {} };
  for (const lang of LANGUAGES) {
    data.emergency.push(...translator.words('intents:emergency', lang));
    merge(data.training, translator.data<Partial<Record<Intent, string[]>>>('intents:training', lang));
    merge(data.evidence, translator.data<Partial<Record<Intent, string[]>>>('intents:evidence', lang));
  }
  return { classifier: new IntentClassifier(normalizer, data), guide: new GuideCatalog(translator, normalizer) };
}

function merge(into: Partial<Record<Intent, string[]>>, from: Partial<Record<Intent, string[]>>): void {
  for (const [label, phrases] of Object.entries(from) as [Intent, string[]][]) into[label] = [...(into[label] ?? []), ...phrases];
}
