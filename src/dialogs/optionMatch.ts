import { foldText } from '../domain/text.js';

/**
 * Maps typed text to one of the offered options: its number in the list ("2"), its label
 * ("Xe đưa đón"), or the label typed without diacritics, emoji or punctuation ("xe dua don").
 */
export function matchOption(text: string, labels: { id: string; label: string }[]): string | undefined {
  const typed = foldText(text);
  if (typed === '') return undefined;
  if (/^\d{1,2}$/.test(typed)) return labels[Number(typed) - 1]?.id;
  const exact = labels.find((o) => foldText(o.label) === typed);
  if (exact) return exact.id;
  // A label that starts with what was typed, when only one does ("xe dua" → "Xe đưa đón …").
  if (typed.length >= 3) {
    const prefixed = labels.filter((o) => foldText(o.label).startsWith(typed));
    if (prefixed.length === 1) return prefixed[0]!.id;
  }
  return undefined;
}

export function matchesAny(text: string, words: string[]): boolean {
  const typed = foldText(text);
  return typed !== '' && words.some((w) => foldText(w) === typed);
}
