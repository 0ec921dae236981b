import { readFileSync } from 'node:fs';
import path from 'node:path';
import { INTENTS, type Intent } from '../../src/domain/intent.js';

export interface Labelled {
  label: Intent;
  text: string;
}

/** The held-out set: `label<TAB>message` per line, `#` lines are comments. */
export function readLabelled(file = path.join(import.meta.dirname, 'labelled.tsv')): Labelled[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const tab = line.indexOf('\t');
      const label = line.slice(0, tab) as Intent;
      if (tab < 0 || !INTENTS.includes(label)) throw new Error(`bad labelled line: ${line}`);
      return { label, text: line.slice(tab + 1) };
    });
}
