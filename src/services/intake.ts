import { randomUUID } from 'node:crypto';
import { CONSENT_VERSION, type CitizenRequest, type RequestFields, newRequestCode } from '../domain/request.js';
import type { AuditRepository } from '../db/repositories/audit.js';
import { CodeTakenError, type Owner, type RequestRepository } from '../db/repositories/requests.js';
import type { Clock } from './clock.js';

export class IncompleteRequestError extends Error {}

export type SubmittedListener = (request: CitizenRequest) => Promise<void> | void;

/**
 * Files a citizen's request. Idempotent: the draft carries its request id from the summary on,
 * so a redelivered "confirm" or a retry after a crash returns the same request and code.
 * The request is committed before this returns, i.e. before anyone can tell the citizen.
 */
export class IntakeService {
  private readonly listeners: SubmittedListener[] = [];

  constructor(
    private readonly requests: RequestRepository,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
    /** Draws a request code; random in use, chosen by a test that needs a collision. */
    private readonly drawCode: () => string = newRequestCode,
  ) {}

  onSubmitted(listener: SubmittedListener): void {
    this.listeners.push(listener);
  }

  newRequestId(): string {
    return randomUUID();
  }

  async submit(id: string, fields: Partial<RequestFields>, owner: Owner, chatId: string): Promise<CitizenRequest> {
    const complete = requireComplete(fields);
    const now = this.clock.now();
    let stored: CitizenRequest | undefined;
    for (let attempt = 0; !stored; attempt++) {
      try {
        const result = await this.requests.insertOnce({
          ...complete,
          id,
          code: this.drawCode(),
          channel: owner.channel,
          chatId,
          userId: owner.userId,
          status: 'new',
          consentVersion: CONSENT_VERSION,
          createdAt: now,
          updatedAt: now,
        });
        // Submitted before (a retry after a crash): the request as it was stored, told once.
        if (!result.created) return result.stored;
        stored = result.stored;
      } catch (e) {
        // The code is taken (390,625 codes; more likely the more requests are filed): draw again.
        if (attempt > 20 || !(e instanceof CodeTakenError)) throw e;
      }
    }
    await this.audit.record(actorOf(owner), 'request_created', stored.id, now);
    for (const l of this.listeners) await l(stored);
    return stored;
  }
}

export function actorOf(owner: Owner): string {
  return `${owner.channel}:${owner.userId}`;
}

function requireComplete(f: Partial<RequestFields>): RequestFields {
  const required = ['type', 'filedFor', 'consentAt', 'personName', 'birthYear', 'condition', 'communeId', 'address', 'phone', 'services', 'preferredDate'] as const;
  const missing = required.filter((k) => f[k] === undefined);
  if (f.type === 'ride' && (f.pickupAddress === undefined || f.people === undefined)) missing.push('type');
  if (missing.length > 0) throw new IncompleteRequestError(`missing: ${missing.join(', ')}`);
  return f as RequestFields;
}
