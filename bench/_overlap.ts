import { MessageNormalizer } from '../src/domain/normalize.js';
import { LANGUAGES, loadResources } from '../src/i18n.js';
import { readLabelled } from '../test/intents/labelled.js';
const resources = loadResources();
const n = new MessageNormalizer((resources.vi!.intents as { abbreviations: Record<string, string> }).abbreviations);
const training = new Set(LANGUAGES.flatMap((lang) => Object.values((resources[lang]!.intents as { training: Record<string, string[]> }).training).flat()).map((p) => n.normalize(p)));
for (const m of readLabelled()) if (training.has(n.normalize(m.text))) console.log(`${m.label}\t${m.text}`);
