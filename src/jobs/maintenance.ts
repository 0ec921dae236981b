import { Worker } from 'bullmq';
import type { AuditLog, BroadcastStore, Clock, HandoffStore, RequestStore, StateStore } from '../core/ports.js';
import { type JobQueues, QUEUES, type WorkerBase, workerOptions } from './queues.js';

export interface MaintenanceDeps {
  requests: RequestStore;
  states: StateStore;
  handoffs: HandoffStore;
  broadcasts: BroadcastStore;
  audit: AuditLog;
  clock: Clock;
  retentionDays: number;
  /** The evening-before reminders (the session calendar decides what is due). */
  sendDueReminders: () => Promise<number>;
  /** A new day: requests long past their day close as expired; those no team could take try again. */
  startOfDay: () => Promise<void>;
  /** After an erasure, nothing of it may stay readable in the database files. */
  flushErased: () => Promise<void>;
  /** When each chat last wrote (a channel's reply window): forgotten after the retention period. */
  contacts?: { deleteOlderThan(cutoff: number): Promise<number> };
}

/** Daily: personal data of requests closed more than RETENTION_DAYS ago is erased, counts kept. */
export async function retention(d: MaintenanceDeps): Promise<number> {
  await d.startOfDay();
  const now = d.clock.now();
  const cutoff = now - d.retentionDays * 24 * 3600_000;
  const erased = await d.requests.anonymiseClosedBefore(cutoff, now);
  // Unfinished drafts hold personal data too; a conversation idle for 30 days starts over.
  await d.states.deleteOlderThan(now - 30 * 24 * 3600_000);
  await d.handoffs.deleteBefore(cutoff);
  await d.broadcasts.forgetRecipientsBefore(cutoff);
  await d.contacts?.deleteOlderThan(cutoff);
  if (erased > 0) await d.audit.record('system', 'retention_anonymised', String(erased), now);
  await d.flushErased();
  return erased;
}

/** The maintenance queue: the new day and retention once a day, reminders every five minutes (scheduled once however many processes run). */
export async function maintenanceWorker(d: MaintenanceDeps, queues: JobQueues, o: WorkerBase): Promise<Worker> {
  const worker = new Worker(QUEUES.maintenance, async (job) => (job.name === 'reminders' ? d.sendDueReminders() : retention(d)), workerOptions(o));
  const q = queues.queue(QUEUES.maintenance);
  // Just after midnight in Vietnam, whatever the server's time zone.
  await q.upsertJobScheduler('retention', { pattern: '5 0 * * *', tz: 'Asia/Ho_Chi_Minh' }, { name: 'retention' });
  await q.upsertJobScheduler('reminders', { every: 5 * 60_000 }, { name: 'reminders' });
  return worker;
}
