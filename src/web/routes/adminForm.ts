import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebUser } from '../../core/access/service.js';
import type { Problem } from '../../core/forms.js';
import type { ConsoleContext } from '../console.js';

/** A form's repeated field (checkboxes) as its values; one value or none is a list too. */
export function fields(body: unknown, name: string): string[] {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
}

/** What a page says above its content after an action. */
export type Flash = Problem & { ok: boolean };

/**
 * The unit's pages (teams, areas, commanders, settings) are for commanders; changing who is a
 * commander, and the settings, for root commanders (the first ones, from ADMIN_USER_IDS, and
 * those they trust), as in chat.
 */
export function needCommander(c: ConsoleContext, req: FastifyRequest, reply: FastifyReply, o: { root?: boolean } = {}): WebUser | undefined {
  const user = c.need(req, reply, 'commander');
  if (!user) return undefined;
  if (o.root && !user.staff.root) {
    c.page(reply, req, 'forbidden', {}, 403);
    return undefined;
  }
  return user;
}

/** Who a change is recorded as in the audit log. */
export const by = (user: WebUser) => `staff:${user.staff.id}`;
