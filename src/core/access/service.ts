import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../../domain/address.js';
import type { StaffMember } from '../../domain/team.js';
import type { AccessStore, AuditLog, Clock, StaffStore, WebSession } from '../ports.js';

export interface AccessOptions {
  /** Where the console is reached from outside: the origin of every link we send. */
  publicUrl: () => string;
  linkTtlMs: number;
  idleMs: number;
}

export type LinkState = 'ok' | 'expired' | 'used' | 'unknown';

/** A signed-in browser: who, and the token its forms must carry. */
export interface WebUser {
  staff: StaffMember;
  session: WebSession;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');
const secret = () => randomBytes(32).toString('base64url');

/** Only a fresh, current session is touched at most this often: a page view is not a write. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Login without passwords: a staff member asks the bot (on any channel they are known on) and
 * gets a single-use link; opening it starts a server-side session, revocable, that ends when
 * idle. Only hashes of the link and the session id are stored, so a copy of the database opens
 * nothing.
 */
export class AccessService {
  constructor(
    private readonly store: AccessStore,
    private readonly staff: StaffStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    readonly o: AccessOptions,
  ) {}

  get linkMinutes(): number {
    return Math.round(this.o.linkTtlMs / 60_000);
  }

  /** A page of the console, for a message (the work page in an officer's "new work"). */
  url(path: string): string {
    return `${this.o.publicUrl().replace(/\/+$/, '')}${path}`;
  }

  /** A login link for whoever this chat account is; undefined when they are not staff. */
  async linkForActor(actor: Actor): Promise<string | undefined> {
    const me = await this.staff.byIdentity(actor);
    return me && (me.commander || me.teamId) ? this.linkFor(me.id) : undefined;
  }

  async linkFor(staffId: string): Promise<string> {
    const token = secret();
    const now = this.clock.now();
    await this.store.addLink({ tokenHash: hash(token), staffId, createdAt: now, expiresAt: now + this.o.linkTtlMs });
    return this.url(`/login/${token}`);
  }

  /** What opening a link would do, without using it (the page asks for a press first). */
  check(token: string): Promise<LinkState> {
    return this.store.peekLink(hash(token), this.clock.now());
  }

  /** Uses the link: a new session (its cookie value), or why not. */
  async login(token: string): Promise<{ ok: true; cookie: string; staff: StaffMember } | { ok: false; reason: Exclude<LinkState, 'ok'> }> {
    const now = this.clock.now();
    const used = await this.store.useLink(hash(token), now);
    if (typeof used === 'string') return { ok: false, reason: used };
    const staff = await this.staff.byId(used.staffId);
    if (!staff) return { ok: false, reason: 'unknown' };
    const cookie = secret();
    await this.store.addSession({ idHash: hash(cookie), staffId: staff.id, csrf: secret(), createdAt: now, lastSeenAt: now });
    await this.audit.record(`staff:${staff.id}`, 'web_login', null, now);
    return { ok: true, cookie, staff };
  }

  /** The signed-in staff member behind a cookie, if the session is live and they still serve. */
  async resolve(cookie: string | undefined): Promise<WebUser | undefined> {
    if (!cookie) return undefined;
    const now = this.clock.now();
    const session = await this.store.session(hash(cookie), now - this.o.idleMs);
    if (!session) return undefined;
    const staff = await this.staff.byId(session.staffId);
    if (!staff || (!staff.commander && !staff.teamId)) return undefined;
    if (now - session.lastSeenAt > TOUCH_EVERY_MS) await this.store.touch(session.idHash, now);
    return { staff, session };
  }

  async logout(user: WebUser): Promise<void> {
    const now = this.clock.now();
    await this.store.revoke(user.session.idHash, now);
    await this.audit.record(`staff:${user.staff.id}`, 'web_logout', null, now);
  }

  /** "Log out everywhere": every session of this person ends, this one too. */
  async logoutEverywhere(user: WebUser): Promise<number> {
    const now = this.clock.now();
    const n = await this.store.revokeAllOf(user.staff.id, now);
    await this.audit.record(`staff:${user.staff.id}`, 'web_logout', null, now);
    return n;
  }
}
