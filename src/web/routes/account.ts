import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from '../console.js';
import { needCommander } from './adminForm.js';

/** What the console reads of a channel that holds its own sending permission (the Zalo OA's tokens). */
export interface PlatformAccount {
  state(): Promise<{ connected: boolean; expiresAt?: number; lastRefreshAt?: number; lastError?: { at: number; code: number; message: string } }>;
  /** A fresh consent link for the account's administrator (valid 10 minutes). */
  consentUrl(): string;
}

/**
 * The page of a messaging account that needs a person's consent (the OA): its state for the
 * commanders (connected until when, the last refresh and its error) and, for a root commander,
 * the consent link that connects it again.
 */
export function accountRoutes(app: FastifyInstance, c: ConsoleContext): void {
  app.get('/oa', async (req, reply) => {
    const user = needCommander(c, req, reply);
    if (!user) return reply;
    if (!c.account) return c.page(reply, req, 'not-found', {}, 404);
    const state = await c.account.state();
    return c.page(reply, req, 'account', { state, link: user.staff.root ? c.account.consentUrl() : undefined }, 200, '/oa');
  });
}
