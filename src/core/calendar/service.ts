import { randomUUID } from 'node:crypto';
import type { ChannelId } from '../../domain/address.js';
import { addDays, formatVnDate, localDate, localHour } from '../../domain/dates.js';
import type { Param } from '../../domain/message.js';
import { saturdayRotation, type Session, type SessionPatch, timeRange } from '../../domain/session.js';
import type { AreaService } from '../areas/service.js';
import type { BroadcastService } from '../broadcast/service.js';
import type { AuditLog, Clock, FollowUps, RequestStore, SessionStore, SubscriptionStore } from '../ports.js';
import type { RequestService } from '../requests/service.js';

export type NewSession = Omit<Session, 'id' | 'status' | 'previous' | 'version'>;
export type Move = Partial<Pick<Session, 'date' | 'startTime' | 'endTime' | 'placeName' | 'address'>>;

/**
 * The session calendar. Who is told what: a new session → its commune's subscribers; moved or
 * cancelled → its commune's subscribers and everyone with an open request for it (whose requests
 * move with it, or go back to the commander); the evening before → the subscribers get the venue,
 * each family its own visit or pickup. Each notice has a fixed id (session, version), so it goes
 * out once however often it is triggered.
 */
export class SessionService {
  constructor(
    private readonly sessions: SessionStore,
    private readonly subscriptions: SubscriptionStore,
    private readonly broadcasts: BroadcastService,
    private readonly audit: AuditLog,
    private readonly areas: AreaService,
    private readonly clock: Clock,
    /** Read at each run: the console changes it without a restart. */
    private readonly reminderHour: () => number,
    /** Requests follow their session: moved, cancelled, waiting for a new day. */
    private readonly requests: RequestService,
    private readonly requestStore: RequestStore,
    private readonly jobs: FollowUps,
  ) {}

  today(): string {
    return localDate(new Date(this.clock.now()));
  }

  upcoming(communeId?: string, limit = 5): Promise<Session[]> {
    return this.sessions.upcoming(this.today(), communeId, limit);
  }

  byId(id: string): Promise<Session | undefined> {
    return this.sessions.byId(id);
  }

  list(days = 60): Promise<Session[]> {
    return this.sessions.between(this.today(), addDays(this.today(), days));
  }

  /** Every session (cancelled ones too) on days from..to: the console's month view. */
  between(from: string, to: string): Promise<Session[]> {
    return this.sessions.between(from, to);
  }

  /** Places taken at home and in the car: requests bound to it that hold one (open or done). */
  async placesUsed(id: string): Promise<{ home: number; ride: number }> {
    const [home, ride] = await Promise.all([this.requestStore.countForSession(id, 'home'), this.requestStore.countForSession(id, 'ride')]);
    return { home, ride };
  }

  async create(s: NewSession, by: string): Promise<Session> {
    const session: Session = { ...s, id: randomUUID(), status: 'planned', previous: null, version: 0 };
    await this.sessions.insert(session, by, this.clock.now());
    await this.audit.record(by, 'session_changed', session.id, this.clock.now());
    await this.notify(session, 'session_new', { kind: 'communes', communeIds: [session.communeId] }, by);
    // A new day to work: requests no team had room for try again.
    await this.requests.retryUnassigned(['no_capacity']);
    return session;
  }

  /** Details that change nobody's plans (services, capacity, notes, map): nobody is told. */
  async edit(id: string, patch: Pick<SessionPatch, 'services' | 'homeCapacity' | 'rideCapacity' | 'notes' | 'mapUrl'>, by: string): Promise<Session | undefined> {
    const s = await this.sessions.update(id, patch, false, this.clock.now());
    if (s) await this.audit.record(by, 'session_changed', id, this.clock.now());
    return s;
  }

  async move(id: string, to: Move, by: string): Promise<Session | undefined> {
    const before = await this.sessions.byId(id);
    if (!before || before.status === 'cancelled') return undefined;
    const previous = { date: before.date, startTime: before.startTime, endTime: before.endTime, placeName: before.placeName, address: before.address };
    const s = await this.sessions.update(id, { ...to, status: 'moved', previous }, true, this.clock.now());
    if (!s) return undefined;
    await this.audit.record(by, 'session_changed', id, this.clock.now());
    // Its requests move with it (their cards edited; back to the queue where the team is full that day).
    await this.requests.sessionMoved(id, s.date, by);
    // Those who planned on the old day are told; so are the commune's subscribers.
    await this.notify(s, 'session_moved', { kind: 'session', communeId: s.communeId, date: before.date, sessionId: id }, by);
    return s;
  }

  async cancel(id: string, by: string): Promise<Session | undefined> {
    const before = await this.sessions.byId(id);
    if (!before || before.status === 'cancelled') return undefined;
    const s = await this.sessions.update(id, { status: 'cancelled' }, true, this.clock.now());
    if (!s) return undefined;
    await this.audit.record(by, 'session_changed', id, this.clock.now());
    await this.notify(s, 'session_cancelled', { kind: 'session', communeId: s.communeId, date: s.date, sessionId: id }, by);
    // Each of its requests goes back to the commander to arrange (the families heard it above).
    await this.requests.sessionCancelled(id, by);
    return s;
  }

  /** "Every Saturday, rotating communes": creates the weeks that have no session in that commune yet. */
  async generateRotation(communeIds: string[], weeks: number, template: Omit<NewSession, 'communeId' | 'date'>, by: string): Promise<Session[]> {
    const created: Session[] = [];
    for (const { date, communeId } of saturdayRotation(communeIds, new Date(this.clock.now()), weeks)) {
      const existing = await this.sessions.upcoming(date, communeId, 1);
      if (existing[0]?.date === date) continue;
      const commune = this.areas.commune(communeId);
      created.push(await this.create({ ...template, communeId, date, placeName: template.placeName || (commune?.name ?? communeId) }, by));
    }
    return created;
  }

  /**
   * The evening before each session, from `reminderHour` local time: one reminder per session
   * and day. Run by a repeating job; safe to run any number of times.
   */
  async sendDueReminders(): Promise<number> {
    const now = this.clock.now();
    if (localHour(now) < this.reminderHour()) return 0;
    const tomorrow = addDays(this.today(), 1);
    let sent = 0;
    for (const s of await this.sessions.upcoming(tomorrow, undefined, 200)) {
      if (s.date !== tomorrow) break;
      // The venue reminder goes to the commune's subscribers; families with a request get their own.
      await this.broadcasts.send({
        id: `reminder.${s.id}.${s.date}`,
        kind: 'reminder',
        createdBy: 'system',
        content: { key: 'calendar:notice.reminder', params: this.noticeParams(s) },
        audience: { kind: 'session', communeId: s.communeId, date: s.date, sessionId: s.id, subscribersOnly: true },
      });
      sent++;
    }
    // Each family whose visit (or pickup) is tomorrow: its own day and time window.
    for (const r of await this.requestStore.dueOn(tomorrow)) {
      await this.jobs.notifyCitizen(r, r.type === 'ride' ? 'reminder_pickup' : 'reminder_visit', r.round ?? 0, tomorrow.replaceAll('-', ''));
      sent++;
    }
    return sent;
  }

  async subscribe(channel: ChannelId, chatId: string, communeId: string): Promise<boolean> {
    const added = await this.subscriptions.subscribe(channel, chatId, communeId, this.clock.now());
    if (added) await this.audit.record(`${channel}:${chatId}`, 'subscribed', communeId, this.clock.now());
    return added;
  }

  async unsubscribe(channel: ChannelId, chatId: string, communeId?: string): Promise<number> {
    const n = await this.subscriptions.unsubscribe(channel, chatId, communeId);
    if (n > 0) await this.audit.record(`${channel}:${chatId}`, 'unsubscribed', communeId ?? null, this.clock.now());
    return n;
  }

  subscribedCommunes(channel: ChannelId, chatId: string): Promise<string[]> {
    return this.subscriptions.communesOf(channel, chatId);
  }

  /** What a notice or a schedule line says about a session. */
  noticeParams(s: Session): Record<string, Param> {
    const p = s.previous;
    return {
      commune: this.areas.commune(s.communeId)?.name ?? s.communeId,
      date: formatVnDate(s.date),
      time: timeRange(s.startTime, s.endTime),
      place: s.placeName,
      address: s.address,
      oldDate: p ? formatVnDate(p.date) : '',
      oldTime: p ? timeRange(p.startTime, p.endTime) : '',
      oldPlace: p ? p.placeName : '',
    };
  }

  private async notify(s: Session, key: string, audience: Parameters<BroadcastService['send']>[0]['audience'], by: string): Promise<void> {
    await this.broadcasts.send({
      id: `session.${s.id}.v${s.version}`,
      kind: 'session_changed',
      createdBy: by,
      content: { key: `calendar:notice.${key}`, params: this.noticeParams(s) },
      audience,
    });
  }
}
