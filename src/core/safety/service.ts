import type { Address } from '../../domain/address.js';
import type { EmergencyCall, IntentClassifier } from '../../domain/intent.js';
import type { Clock, FollowUps, HandoffStore } from '../ports.js';
import type { HandoffService } from '../handoff/service.js';

const EXCERPT_MAX = 300;
/** More alarms from one chat within this are one report (with a count), not a flood. */
const MERGE_MS = 5 * 60_000;
/** A location shared this soon after an emergency is where it is. */
const LOCATION_MS = 30 * 60_000;
/** Repeats are shown by editing the first report, at most this often, behind every first report. */
const REPEAT_EDIT_EVERY_MS = 10_000;

/**
 * Emergencies are never queued as requests: the person is told the number to call at once, and
 * the duty officers get the report (and can answer it). Checked before anything else on every
 * typed message with the triage rule (exact phrases and their conditions), so an answer in a
 * form (a name, an address) does not start an alarm. A chat that keeps writing does not bury
 * everyone else's first report: its repeats are merged into its own.
 */
export class SafetyService {
  constructor(
    private readonly classifier: IntentClassifier,
    private readonly handoffs: HandoffService,
    private readonly store: HandoffStore,
    private readonly jobs: FollowUps,
    private readonly clock: Clock,
    private readonly on: { alerted(): void; failed(e: unknown): void },
  ) {}

  /** The numbers to call, when `text` is an emergency; `lasting`: the person describes how someone is (not what happens now). */
  triage(text: string, lasting = false): EmergencyCall[] | undefined {
    return this.classifier.triage(text, lasting ? { lasting: true } : undefined);
  }

  /**
   * Never throws: the person's answer ("call 114") must not wait for or depend on the alert.
   * `source`: the update that raised it; handled again, it is neither a second report nor a
   * repeat of its own (nor counted twice as a repeat of an earlier one).
   */
  async alert(chat: Address, text: string, calls: readonly string[], source?: string): Promise<void> {
    try {
      const now = this.clock.now();
      const recent = await this.store.recentEmergency(chat.channel, chat.chatId, now - MERGE_MS);
      if (recent) {
        if ((await this.store.addRepeat(recent.id, source)) > 0) {
          await this.jobs.refreshHandoff(recent.id, String(Math.floor(now / REPEAT_EDIT_EVERY_MS)), REPEAT_EDIT_EVERY_MS);
        }
        return;
      }
      await this.handoffs.forward(chat.channel, chat.chatId, text.slice(0, EXCERPT_MAX), 'emergency', { calls: calls as EmergencyCall[], source });
      this.on.alerted();
    } catch (e) {
      this.on.failed(e);
    }
  }

  /** A location from a chat that reported an emergency minutes ago: added to the report. */
  async located(chat: Address, where: { lat: number; lon: number }): Promise<boolean> {
    const recent = await this.store.recentEmergency(chat.channel, chat.chatId, this.clock.now() - LOCATION_MS);
    if (!recent) return false;
    await this.store.setLocation(recent.id, where);
    await this.jobs.refreshHandoff(recent.id, `loc-${this.clock.now()}`, 0);
    return true;
  }
}
