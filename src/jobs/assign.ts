import { Worker } from 'bullmq';
import type { AssignmentService } from '../core/assignment/service.js';
import type { Metrics } from '../metrics.js';
import { QUEUES, type WorkerBase, workerOptions } from './queues.js';

/** The assignment queue: each job routes one request (one round of it) to a team. */
export function assignWorker(d: { assignment: AssignmentService; metrics: Metrics }, o: WorkerBase, concurrency: number): Worker<{ requestId: string }> {
  return new Worker<{ requestId: string }>(
    QUEUES.assign,
    async (job) => {
      const result = await d.assignment.assign(job.data.requestId);
      if (result.kind === 'assigned' && result.waitedMs !== undefined) d.metrics.assignmentSeconds.observe(result.waitedMs / 1000);
      return result;
    },
    workerOptions(o, concurrency),
  );
}
