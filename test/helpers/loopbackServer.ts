import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake platform server on a free loopback port: subclasses answer `route`. */
export abstract class LoopbackServer {
  private server: Server | undefined;

  protected abstract route(req: IncomingMessage, res: ServerResponse): Promise<void>;

  /** Wakes anything waiting (long polls) so the server can close. */
  protected abstract wakeAll(): void;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.apiRoot;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.wakeAll();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
