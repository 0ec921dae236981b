import { Worker } from 'bullmq';
import type { AssignmentService } from '../core/assignment/service.js';
import { QUEUES, type SlaJob, type WorkerBase, workerOptions } from './queues.js';

/** The SLA queue: delayed checks that remind, escalate or flag work nobody moved. */
export function slaWorker(assignment: AssignmentService, o: WorkerBase): Worker<SlaJob> {
  return new Worker<SlaJob>(QUEUES.sla, async (job) => assignment.checkSla(job.data.requestId, job.data.kind, job.data.round), workerOptions(o));
}
