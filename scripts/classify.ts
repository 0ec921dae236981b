/**
 * For content editors: one message per line on stdin, one JSON line per message on stdout;
 * emergencies name the number to call (a string, or an array when several apply).
 *   printf 'vneid ko nhan dc otp\nchay nha roi\n' | npm run --silent classify
 *   {"text":"chay nha roi","intent":"emergency","confidence":1,"call":"114"}
 */
import { createInterface } from 'node:readline';
import type { IntentResult } from '../src/domain/intent.js';
import { Translator } from '../src/i18n.js';
import { createClassifier } from '../src/services/understanding.js';

/** The printed form of one result: `call` only for emergencies, one number as a string. */
function classifyLine(text: string, r: IntentResult): Record<string, unknown> {
  const line: Record<string, unknown> = { text, intent: r.intent, confidence: Number(r.confidence.toFixed(3)) };
  if (r.intent === 'emergency' && r.call !== undefined && r.call.length > 0) line.call = r.call.length === 1 ? r.call[0] : r.call;
  return line;
}

const classifier = createClassifier(await Translator.create('vi'));
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() === '') continue;
  process.stdout.write(`${JSON.stringify(classifyLine(line, classifier.classify(line)))}\n`);
}
