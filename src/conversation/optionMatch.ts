import { foldText } from '../domain/text.js';

/**
 * Maps typed text to one of the offered options: its number in the list ("2"), its label
 * ("Xe đưa đón"), or the label typed without diacritics, emoji or punctuation ("xe dua don").
 */
export function matchOption(
  text: string,
  labels: { id: string; label: string; exactOnly?: boolean }[],
  fold: (s: string) => string = foldText,
): string | undefined {
  const typed = fold(text);
  if (typed === '') return undefined;
  // A choice that cannot be undone is never picked by a number typed out of habit.
  if (/^\d{1,2}$/.test(typed)) {
    const o = labels[Number(typed) - 1];
    return o && !o.exactOnly ? o.id : undefined;
  }
  const exact = labels.find((o) => fold(o.label) === typed);
  if (exact) return exact.id;
  // A label that starts with what was typed, when only one does ("xe dua" → "Xe đưa đón …").
  if (typed.length >= 3) {
    const prefixed = labels.filter((o) => !o.exactOnly && fold(o.label).startsWith(typed));
    if (prefixed.length === 1) return prefixed[0]!.id;
  }
  return undefined;
}

export function matchesAny(text: string, words: string[], fold: (s: string) => string = foldText): boolean {
  const typed = fold(text);
  return typed !== '' && words.some((w) => fold(w) === typed);
}
