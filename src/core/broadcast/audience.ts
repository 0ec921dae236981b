import type { Audience } from '../../domain/broadcast.js';

/** What a commander picks, in the chat or in the browser: everyone, chosen communes, or open requests. */
export type AudienceChoice = { kind: 'all' } | { kind: 'open_requests' } | { kind: 'communes'; communeIds: readonly string[] };

/**
 * The audience a commander's choice reaches: a commander of some communes never reaches beyond
 * them ("everyone" is everyone of theirs), one without a list reaches the whole unit. Chosen
 * communes outside theirs are dropped; none left is no audience (the caller asks again).
 */
export function audienceWithin(choice: AudienceChoice, mine: readonly string[]): Audience | undefined {
  const limited = mine.length > 0;
  switch (choice.kind) {
    case 'all':
      return limited ? { kind: 'communes', communeIds: [...mine] } : { kind: 'all' };
    case 'open_requests':
      return limited ? { kind: 'open_requests', communeIds: [...mine] } : { kind: 'open_requests' };
    case 'communes': {
      const ids = choice.communeIds.filter((id) => !limited || mine.includes(id));
      return ids.length > 0 ? { kind: 'communes', communeIds: [...new Set(ids)] } : undefined;
    }
  }
}
