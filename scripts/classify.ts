/**
 * For content editors: one message per line on stdin, one JSON line per message on stdout.
 *   printf 'vneid ko nhan dc otp\nchay nha roi\n' | npm run --silent classify
 */
import { createInterface } from 'node:readline';
import { Translator } from '../src/i18n.js';
import { createClassifier } from '../src/services/understanding.js';

const classifier = createClassifier(await Translator.create('vi'));
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() === '') continue;
  const { intent, confidence } = classifier.classify(line);
  process.stdout.write(`${JSON.stringify({ text: line, intent, confidence: Number(confidence.toFixed(3)) })}\n`);
}
