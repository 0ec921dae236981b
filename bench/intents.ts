/**
 * Classifies a held-out labelled set (test/intents/labelled.tsv, or --set fresh for
 * test/intents/fresh.tsv: written blind, never used to tune anything), prints the confusion matrix,
 * per-class precision and recall, accuracy, emergency recall, the false-alarm rate, call accuracy
 * and speed, then one JSON line; exits non-zero when a target is missed. Usage:
 *   npm run bench:intents -- [--set labelled|fresh] [--seconds 3] [--errors]
 * Targets: accuracy ≥ 0.95, emergency recall 1, false alarms ≤ 0.01, ≥ 20,000 messages/s.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { INTENTS } from '../src/domain/intent.js';
import { Translator } from '../src/i18n.js';
import { createClassifier } from '../src/services/understanding.js';
import { readLabelled } from '../test/intents/labelled.js';

const TARGETS = { accuracy: 0.95, emergency_recall: 1, false_alarm_rate: 0.01, per_s: 20_000 };

const { values } = parseArgs({ options: { set: { type: 'string', default: 'labelled' }, seconds: { type: 'string', default: '3' }, errors: { type: 'boolean', default: false } } });
const classifier = createClassifier(await Translator.create('vi'));
const set = readLabelled(path.join(import.meta.dirname, '..', 'test', 'intents', `${values.set}.tsv`));

const matrix = new Map<string, Map<string, number>>();
let correct = 0;
let emergencies = 0;
let found = 0;
let calmMessages = 0;
let falseAlarms = 0;
let callsExact = 0;
let callsPrimary = 0;
const errors: string[] = [];
for (const { label, text, call } of set) {
  const r = classifier.classify(text);
  const row = matrix.get(label) ?? new Map<string, number>();
  row.set(r.intent, (row.get(r.intent) ?? 0) + 1);
  matrix.set(label, row);
  if (r.intent === label) correct++;
  else errors.push(`  ${label} → ${r.intent}${r.call ? `:${r.call.join('+')}` : ''}: ${text}`);
  if (label === 'emergency') {
    emergencies++;
    if (r.intent === 'emergency') found++;
    const got = r.call ?? [];
    const want = call ?? [];
    const exact = got.length === want.length && want.every((c) => got.includes(c));
    if (exact) callsExact++;
    if (want[0] !== undefined && got.includes(want[0])) callsPrimary++;
    if (r.intent === 'emergency' && !exact) errors.push(`  call ${want.join('+')} → ${got.join('+')}: ${text}`);
  } else {
    calmMessages++;
    if (r.intent === 'emergency') falseAlarms++;
  }
}
if (values.errors) for (const e of errors) console.log(e);

const short = (l: string) => l.slice(0, 6).padStart(7);
console.log(`${'true\\got'.padEnd(10)}${INTENTS.map(short).join('')}`);
for (const label of INTENTS) {
  const row = matrix.get(label);
  console.log(`${label.padEnd(10)}${INTENTS.map((g) => String(row?.get(g) ?? 0).padStart(7)).join('')}`);
}
console.log(`\n${'label'.padEnd(10)}${'n'.padStart(6)}${'precision'.padStart(11)}${'recall'.padStart(9)}`);
for (const label of INTENTS) {
  const n = [...(matrix.get(label)?.values() ?? [])].reduce((a, b) => a + b, 0);
  const hit = matrix.get(label)?.get(label) ?? 0;
  const predicted = [...matrix.values()].reduce((a, row) => a + (row.get(label) ?? 0), 0);
  const p = predicted > 0 ? (hit / predicted).toFixed(3) : '-';
  const rc = n > 0 ? (hit / n).toFixed(3) : '-';
  console.log(`${label.padEnd(10)}${String(n).padStart(6)}${p.padStart(11)}${rc.padStart(9)}`);
}

const budgetMs = Number(values.seconds) * 1000;
let classified = 0;
const start = performance.now();
while (performance.now() - start < budgetMs) {
  for (const { text } of set) classifier.classify(text);
  classified += set.length;
}
const perS = classified / ((performance.now() - start) / 1000);

const round = (x: number) => Number(x.toFixed(4));
const result = {
  set: values.set,
  messages: set.length,
  accuracy: round(correct / set.length),
  emergency_recall: round(emergencies > 0 ? found / emergencies : 1),
  false_alarm_rate: round(calmMessages > 0 ? falseAlarms / calmMessages : 0),
  call_accuracy: round(emergencies > 0 ? callsExact / emergencies : 1),
  call_primary: round(emergencies > 0 ? callsPrimary / emergencies : 1),
  emergencies,
  false_alarms: falseAlarms,
  per_s: Math.round(perS),
};
console.log(
  `\naccuracy ${result.accuracy}, emergency recall ${result.emergency_recall} (${found}/${emergencies}), false alarms ${result.false_alarm_rate} (${falseAlarms}/${calmMessages}), ` +
    `call exact ${result.call_accuracy}, call has the primary number ${result.call_primary}, ${result.per_s} messages/s`,
);
console.log(JSON.stringify(result));

const missed = [
  result.accuracy < TARGETS.accuracy && `accuracy ${result.accuracy} < ${TARGETS.accuracy}`,
  result.emergency_recall < TARGETS.emergency_recall && `emergency recall ${result.emergency_recall} < ${TARGETS.emergency_recall}`,
  result.false_alarm_rate > TARGETS.false_alarm_rate && `false-alarm rate ${result.false_alarm_rate} > ${TARGETS.false_alarm_rate}`,
  result.per_s < TARGETS.per_s && `${result.per_s} messages/s < ${TARGETS.per_s}`,
].filter((x): x is string => typeof x === 'string');
if (missed.length > 0) {
  console.error(`targets missed: ${missed.join('; ')}`);
  process.exitCode = 1;
}
