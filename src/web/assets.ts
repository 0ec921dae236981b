import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

/** The few files the pages load, from our own server (nothing from a CDN), kept in memory. */
const FILES: Record<string, { file: string; type: string }> = {
  'htmx.min.js': { file: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'pico.min.css': { file: require.resolve('@picocss/pico/css/pico.min.css'), type: 'text/css; charset=utf-8' },
  'console.css': { file: path.join(import.meta.dirname, 'assets', 'console.css'), type: 'text/css; charset=utf-8' },
  // Chart.js (MIT, maintained): its UMD build draws the reports' charts; our script feeds it.
  'chart.umd.min.js': { file: path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
  'reports.js': { file: path.join(import.meta.dirname, 'assets', 'reports.js'), type: 'text/javascript; charset=utf-8' },
};

export function registerAssets(app: FastifyInstance): void {
  const loaded = new Map(
    Object.entries(FILES).map(([name, f]) => {
      const body = readFileSync(f.file);
      return [name, { body, type: f.type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` }];
    }),
  );
  app.get<{ Params: { name: string } }>('/assets/:name', async (req, reply) => {
    const a = loaded.get(req.params.name);
    if (!a) return reply.status(404).send();
    // Old phones on slow networks: fetched once a day, and revalidated cheaply.
    reply.header('cache-control', 'public, max-age=86400').header('etag', a.etag).type(a.type);
    if (req.headers['if-none-match'] === a.etag) return reply.status(304).send();
    return reply.send(a.body);
  });
}
