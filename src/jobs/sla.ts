import { Worker } from 'bullmq';
import type { AssignmentService } from '../core/assignment/service.js';
import type { FeedbackService } from '../core/requests/feedback.js';
import { QUEUES, type SlaJob, type WorkerBase, workerOptions } from './queues.js';

/** The SLA queue: delayed checks that remind, escalate or flag work nobody moved, and the question a day after it is done. */
export function slaWorker(assignment: AssignmentService, feedback: FeedbackService, o: WorkerBase): Worker<SlaJob> {
  return new Worker<SlaJob>(
    QUEUES.sla,
    async (job) => (job.data.kind === 'feedback' ? feedback.ask(job.data.requestId) : assignment.checkSla(job.data.requestId, job.data.kind, job.data.round)),
    workerOptions(o),
  );
}
