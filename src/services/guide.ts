import { containsPhrase, type MessageNormalizer } from '../domain/normalize.js';
import { LANGUAGES, type Translator } from '../i18n.js';

export const GUIDE_TOPICS = ['vneid', 'fire'] as const;
export type GuideTopic = (typeof GUIDE_TOPICS)[number];

interface Screen {
  id: string;
  keywords: string[];
}

/**
 * The guidance screens, as the content files list them (locales/<lang>/guide.json): adding a
 * screen there adds it to the menu, no code. Keywords let a typed question open the right
 * screen directly ("vneid ko nhan dc otp" → the OTP screen).
 */
export class GuideCatalog {
  private readonly topics = new Map<GuideTopic, Screen[]>();

  constructor(translator: Translator, private readonly normalizer: MessageNormalizer) {
    for (const topic of GUIDE_TOPICS) {
      const ids = Object.keys(translator.data<Record<string, unknown>>(`guide:${topic}.screens`, 'vi'));
      this.topics.set(
        topic,
        ids.map((id) => ({
          id,
          keywords: LANGUAGES.flatMap((lang) => translator.words(`guide:${topic}.screens.${id}.keywords`, lang)).map((k) => normalizer.normalize(k)),
        })),
      );
    }
  }

  screens(topic: GuideTopic): string[] {
    return (this.topics.get(topic) ?? []).map((s) => s.id);
  }

  /** The screen whose keywords the message names most (longest keyword wins a tie), if any. */
  find(topic: GuideTopic, text: string): string | undefined {
    const normalized = this.normalizer.normalize(text);
    let best: { id: string; score: number } | undefined;
    for (const s of this.topics.get(topic) ?? []) {
      const hits = s.keywords.filter((k) => containsPhrase(normalized, [k]));
      const score = hits.length * 100 + Math.max(0, ...hits.map((k) => k.length));
      if (hits.length > 0 && (!best || score > best.score)) best = { id: s.id, score };
    }
    return best?.id;
  }
}
