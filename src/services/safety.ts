import { containsPhrase, MessageNormalizer } from '../domain/normalize.js';
import type { Channel } from '../domain/request.js';

/** Tells the duty officers a person reported an emergency (implemented by the outbound queue). */
export interface DutyAlerts {
  alertDuty(channel: Channel, chatId: string, excerpt: string): Promise<void>;
}

const EXCERPT_MAX = 300;

/**
 * Fire, gas and rescue emergencies are never queued as requests: the person is told to call 114
 * at once, and the duty officers are alerted so a person can follow up. Checked before anything
 * else on every typed message. The phrases are data (locales/vi/intents.json).
 */
export class SafetyService {
  private readonly phrases: string[];
  private alerts: DutyAlerts | undefined;

  constructor(
    private readonly normalizer: MessageNormalizer,
    phrases: string[],
    private readonly onAlertFailed: (e: unknown) => void,
  ) {
    this.phrases = phrases.map((p) => normalizer.normalize(p)).filter(Boolean);
  }

  useAlerts(alerts: DutyAlerts): void {
    this.alerts = alerts;
  }

  isEmergency(text: string): boolean {
    return containsPhrase(this.normalizer.normalize(text), this.phrases);
  }

  /** Never throws: the person's answer ("call 114") must not wait for or depend on the alert. */
  async alert(channel: Channel, chatId: string, text: string): Promise<void> {
    try {
      if (!this.alerts) throw new Error('no duty alert channel (no queue running)');
      await this.alerts.alertDuty(channel, chatId, text.slice(0, EXCERPT_MAX));
    } catch (e) {
      this.onAlertFailed(e);
    }
  }
}
