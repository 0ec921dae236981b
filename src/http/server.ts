import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { WebhookRoute } from '../channels/adapter.js';
import { logError, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

export interface Readiness {
  ok: boolean;
  checks: Record<string, 'ok' | 'down' | 'none' | 'stopping'>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  log: Logger;
  metrics: Metrics;
  /** Whether the database and Redis answer now. */
  readiness: () => Promise<Readiness>;
  /** An update is a few KB; anything far larger is refused before it is read whole. */
  bodyLimit?: number;
  /** A request (headers and body) must arrive within this. */
  requestTimeoutMs?: number;
}

/**
 * The one HTTP server of a process: every channel's webhook, /healthz, /readyz, /metrics (and
 * the web console mounts here too). A failing handler answers 500, or 200 on a webhook (a
 * platform would otherwise send the same poisoned update forever), is logged masked, and the
 * server keeps serving. While stopping, webhooks answer 503 so the load balancer sends them to
 * another replica, and /readyz says so first.
 */
export class HttpServer {
  readonly app: FastifyInstance;
  private stopping = false;
  private readonly webhooks: WebhookRoute[] = [];
  private readonly mounted: ((scope: FastifyInstance) => Promise<void>)[] = [];
  private listening = false;

  constructor(private readonly o: HttpServerOptions) {
    this.app = Fastify({
      bodyLimit: o.bodyLimit ?? 1024 * 1024,
      requestTimeout: o.requestTimeoutMs ?? 15_000,
      connectionTimeout: o.requestTimeoutMs ?? 15_000,
      // A client that sent headers and then nothing must not hold a socket for long.
      keepAliveTimeout: 5_000,
      logger: false,
      // Raw bytes reach the webhook routes; some platforms sign exactly those bytes.
      routerOptions: { ignoreTrailingSlash: true },
    });
    this.app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status >= 500) {
        this.o.metrics.handlerErrors.inc();
        logError(this.o.log, err, 'http handler failed', { path: req.routeOptions.url ?? 'unknown' });
      }
      if (!reply.sent) void reply.status(status).send({ ok: false });
    });
    this.app.get('/healthz', async () => ({ ok: true }));
    this.app.get('/readyz', async (_req, reply) => {
      const r = this.stopping ? { ok: false, checks: { process: 'stopping' as const } } : await this.o.readiness();
      return reply.status(r.ok ? 200 : 503).send(r);
    });
    this.app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(await this.o.metrics.text()));
  }

  /** A channel's webhook; routes are mounted when the server starts listening. */
  route(r: WebhookRoute): void {
    if (this.listening) throw new Error(`route ${r.path} added after the server started`);
    this.webhooks.push(r);
  }

  /** Pages of its own (the web console), in a scope of their own: their parsers, headers and hooks stay there. */
  mount(plugin: (scope: FastifyInstance) => Promise<void>): void {
    if (this.listening) throw new Error('mounted after the server started');
    this.mounted.push(plugin);
  }

  get port(): number {
    const a = this.app.server.address();
    return a && typeof a === 'object' ? a.port : this.o.port;
  }

  async listen(): Promise<void> {
    const webhooks = this.webhooks;
    await this.app.register(async (scope) => {
      // Webhook bodies arrive as the bytes they were sent as, whatever their content type says.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      for (const w of webhooks) {
        scope.route({ method: w.method ?? 'POST', url: w.path, handler: async (req: FastifyRequest, reply: FastifyReply) => {
          if (this.stopping) return reply.status(503).send({ ok: false });
          try {
            const query = (req.query ?? {}) as Record<string, string | undefined>;
            const r = await w.handle({ headers: req.headers, rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), query });
            if (r.type) void reply.type(r.type);
            return reply.status(r.status).send(r.body ?? { ok: r.status < 400 });
          } catch (e) {
            // Never a reason to have the platform send it again: logged, acknowledged.
            this.o.metrics.handlerErrors.inc();
            logError(this.o.log, e, 'webhook handler failed', { path: w.path });
            return reply.status(200).send({ ok: false });
          }
        } });
      }
    });
    for (const plugin of this.mounted) {
      await this.app.register(async (scope) => {
        // While stopping, pages answer 503 too: the load balancer sends people to another replica.
        scope.addHook('onRequest', async (_req, reply) => {
          if (this.stopping) return reply.status(503).send();
        });
        await plugin(scope);
      });
    }
    this.listening = true;
    await this.app.listen({ port: this.o.port, host: this.o.host ?? '0.0.0.0' });
  }

  /** Readiness off and webhooks refused from now on; calls already in flight finish. */
  drain(): void {
    this.stopping = true;
  }

  async close(): Promise<void> {
    this.drain();
    if (this.listening) await this.app.close();
  }
}
