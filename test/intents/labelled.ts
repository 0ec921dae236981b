import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EMERGENCY_CALLS, type EmergencyCall, INTENTS, type Intent } from '../../src/domain/intent.js';

export interface Labelled {
  label: Intent;
  text: string;
  /** For emergencies: the numbers to call, most important first (`emergency:114+115`). */
  call?: EmergencyCall[];
}

/**
 * The held-out set: `label<TAB>message` per line, `#` lines are comments. An emergency names its
 * numbers: `emergency:114`, `emergency:115`, `emergency:113`, `emergency:114+115` (most important
 * first); every other label is plain.
 */
export function readLabelled(file = path.join(import.meta.dirname, 'labelled.tsv')): Labelled[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const tab = line.indexOf('\t');
      const [name, numbers] = line.slice(0, tab).split(':') as [string, string | undefined];
      const label = name as Intent;
      if (tab < 0 || !INTENTS.includes(label)) throw new Error(`bad labelled line: ${line}`);
      const text = line.slice(tab + 1);
      if (label !== 'emergency') {
        if (numbers !== undefined) throw new Error(`only emergencies name numbers: ${line}`);
        return { label, text };
      }
      const call = (numbers ?? '').split('+') as EmergencyCall[];
      if (call.length === 0 || call.some((c) => !EMERGENCY_CALLS.includes(c))) throw new Error(`an emergency names its numbers (emergency:114): ${line}`);
      return { label, text, call };
    });
}
