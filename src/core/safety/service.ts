import type { ChannelId } from '../../domain/address.js';
import type { IntentClassifier } from '../../domain/intent.js';
import type { HandoffService } from '../handoff/service.js';

const EXCERPT_MAX = 300;

/**
 * Fire, gas and rescue emergencies are never queued as requests: the person is told to call 114
 * at once, and the duty officers get the report (and can answer it) so a person can follow up.
 * Checked before anything else on every typed message, with the phrase rule only: it is exact
 * and it cannot mistake an answer in a form (a name, an address) for a fire.
 */
export class SafetyService {
  constructor(
    private readonly classifier: IntentClassifier,
    private readonly handoffs: HandoffService,
    private readonly on: { alerted(): void; failed(e: unknown): void },
  ) {}

  isEmergency(text: string): boolean {
    return this.classifier.isEmergencyPhrase(text);
  }

  /** Never throws: the person's answer ("call 114") must not wait for or depend on the alert. */
  async alert(channel: ChannelId, chatId: string, text: string): Promise<void> {
    try {
      await this.handoffs.forward(channel, chatId, text.slice(0, EXCERPT_MAX), 'emergency');
      this.on.alerted();
    } catch (e) {
      this.on.failed(e);
    }
  }
}
