/**
 * Classifies the held-out labelled set (test/intents/labelled.tsv), prints the confusion matrix
 * and one JSON line, then measures speed by classifying the set repeatedly. Usage:
 *   npm run bench:intents -- [--seconds 3]
 */
import { parseArgs } from 'node:util';
import { INTENTS } from '../src/domain/intent.js';
import { Translator } from '../src/i18n.js';
import { createClassifier } from '../src/services/understanding.js';
import { readLabelled } from '../test/intents/labelled.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, errors: { type: 'boolean', default: false } } });
const classifier = createClassifier(await Translator.create('vi'));
const set = readLabelled();

const matrix = new Map<string, Map<string, number>>();
let correct = 0;
let emergencies = 0;
let emergenciesFound = 0;
for (const { label, text } of set) {
  const got = classifier.classify(text).intent;
  const row = matrix.get(label) ?? new Map<string, number>();
  row.set(got, (row.get(got) ?? 0) + 1);
  matrix.set(label, row);
  if (got === label) correct++;
  else if (values.errors) console.log(`  ${label} → ${got}: ${text}`);
  if (label === 'emergency') {
    emergencies++;
    if (got === 'emergency') emergenciesFound++;
  }
}

const short = (l: string) => l.slice(0, 6).padStart(7);
console.log(`${'true\\got'.padEnd(10)}${INTENTS.map(short).join('')}`);
for (const label of INTENTS) {
  const row = matrix.get(label);
  console.log(`${label.padEnd(10)}${INTENTS.map((g) => String(row?.get(g) ?? 0).padStart(7)).join('')}`);
}

const budgetMs = Number(values.seconds) * 1000;
let classified = 0;
const start = performance.now();
while (performance.now() - start < budgetMs) {
  for (const { text } of set) classifier.classify(text);
  classified += set.length;
}
const perS = classified / ((performance.now() - start) / 1000);

console.log(
  JSON.stringify({
    messages: set.length,
    accuracy: Number((correct / set.length).toFixed(4)),
    emergency_recall: Number((emergenciesFound / emergencies).toFixed(4)),
    per_s: Math.round(perS),
  }),
);
