import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The numbers /metrics shows, one registry per process (each replica and worker is scraped on
 * its own). Names follow Prometheus' conventions; labels are channel ids and failure kinds,
 * never anything a person typed.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly updatesIn = new Counter({ name: 'bot_updates_in_total', help: 'Updates received from a platform', labelNames: ['channel'], registers: [this.registry] });
  readonly repliesOut = new Counter({ name: 'bot_messages_out_total', help: 'Messages sent to a platform', labelNames: ['channel'], registers: [this.registry] });
  readonly sendFailures = new Counter({ name: 'bot_send_failures_total', help: 'Sends a platform refused, by kind', labelNames: ['channel', 'kind'], registers: [this.registry] });
  readonly handlerErrors = new Counter({ name: 'bot_handler_errors_total', help: 'Updates whose handling failed (logged, answered kindly)', registers: [this.registry] });
  readonly emergencyAlerts = new Counter({ name: 'bot_emergency_alerts_total', help: 'Emergency reports raised', registers: [this.registry] });
  readonly assignmentSeconds = new Histogram({
    name: 'bot_assignment_latency_seconds',
    help: 'From a request filed to its assignment',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: 'bot_queue_jobs', help: 'Jobs in each queue by state', labelNames: ['queue', 'state'], registers: [this.registry] });

  /** Called on each scrape: gauges that are read, not counted (queue depths). */
  private collectors: (() => Promise<void>)[] = [];

  onCollect(f: () => Promise<void>): void {
    this.collectors.push(f);
  }

  async text(): Promise<string> {
    await Promise.all(this.collectors.map((f) => f().catch(() => undefined)));
    return this.registry.metrics();
  }
}
