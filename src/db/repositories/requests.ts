import { and, asc, count, desc, eq, gte, inArray, isNotNull, isNull, like, lt, or, type SQL, sql } from 'drizzle-orm';
import { Batch, BATCH_MAX, BatchedReader } from '../batch.js';
import { caseById, type Database, filledRows, placeholderList, placeholderRows, preparedBySize, prepareOnce } from '../database.js';
import { OPEN_BOARD, type Tables } from '../schema/define.js';
import { foldText } from '../../domain/text.js';
import type { Actor } from '../../domain/address.js';
import { type BoardRow, type CitizenRequest, type Outcome, OPEN_STATUSES, priorityOf, type RequestStatus, type Visit } from '../../domain/request.js';
import { fieldsFromColumns, fieldsToColumns, PERSONAL_COLUMNS } from '../../core/requests/fields.js';
import { CodeTakenError } from '../../core/requests/service.js';
import type { BoardCounts, BoardFilter, RequestBoard, RequestStore, TransitionOptions } from '../../core/ports.js';

/** Who filed a request: the citizen's account on the channel they wrote from. */
export type Owner = Actor;

type Assignment = { id: string; teamId: string; now: number };
/** 'taken': another worker assigned it first; 'full': the team has no room that day. */
type AssignOutcome = 'assigned' | 'taken' | 'full';

export class RequestRepository implements RequestStore, RequestBoard {
  // The statements every job runs, built and prepared once.
  private readonly byIdMany;
  private readonly loadStmt;
  private readonly assignMany;
  private readonly insertMany;
  private readonly teamWorkStmt;
  private readonly teamVersionStmt;
  // Confirms of one moment are stored, and jobs running at once read their requests, in one statement.
  private readonly inserts = new Batch<CitizenRequest, RequestRow | undefined | Error>((rs) => this.insertAll(rs), { windowMs: 0, maxItems: BATCH_MAX, maxInFlight: 2 });
  private readonly byIds = new BatchedReader<string, CitizenRequest>((ids) => this.readMany(ids));
  // Assignments made at the same moment (many jobs at once) are written together.
  private readonly assigns = new Batch<Assignment, AssignOutcome | Error>((items) => this.assignAll(items), { windowMs: 0, maxItems: BATCH_MAX, maxInFlight: 2 });
  /** The loads last read per day, with this process's own assignments since counted in. */
  private readonly loads = new Map<string, { at: number; loads: Map<string, number> }>();

  constructor(private readonly d: Database) {
    const { db, t } = d;
    this.byIdMany = preparedBySize('request_by_ids', (n) => db.select().from(t.requests).where(inArray(t.requests.id, placeholderList('id', n))));
    const columns = Object.keys(insertValues(SAMPLE));
    this.insertMany = preparedBySize('request_insert', (n) =>
      db
        .insert(t.requests)
        .values(placeholderRows(columns, n) as unknown as (typeof t.requests.$inferInsert)[])
        .onConflictDoNothing({ target: t.requests.id })
        .returning(),
    );
    this.loadStmt = prepareOnce(
      db.select({ teamId: t.teamDayLoads.teamId, n: t.teamDayLoads.n }).from(t.teamDayLoads).where(eq(t.teamDayLoads.day, sql.placeholder('date'))),
      'team_loads_on_day',
    );
    // A team's open work, and its version: what every officer's work page reads.
    const held = and(eq(t.requests.teamId, sql.placeholder('teamId')), inArray(t.requests.status, ['assigned', 'claimed']));
    this.teamWorkStmt = prepareOnce(
      db.select().from(t.requests).where(held).orderBy(t.requests.priority, t.requests.preferredDate, t.requests.createdAt).limit(sql.placeholder('limit')),
      'team_work',
    );
    this.teamVersionStmt = prepareOnce(db.select(this.versionColumns()).from(t.requests).where(held), 'team_version');
    this.assignMany = preparedBySize('request_assign', (n) => {
      const now = caseById(t.requests.id, n, 'now', 'bigint');
      return db
        .update(t.requests)
        .set({ status: 'assigned', teamId: caseById(t.requests.id, n, 'teamId', 'text'), assignedAt: now, updatedAt: this.touched(now), reason: null })
        .where(and(inArray(t.requests.id, placeholderList('id', n)), eq(t.requests.status, 'new')))
        .returning({ id: t.requests.id, day: t.requests.preferredDate });
    });
  }

  /**
   * The time of a change, never earlier than or equal to the one before on the same row: every
   * change makes a new version (what a page's stale check and the board's refresh compare),
   * even two changes in one millisecond or from a process whose clock runs behind.
   */
  private touched(now: number | SQL): SQL {
    const at = this.d.t.requests.updatedAt;
    return sql`case when ${at} >= ${now} then ${at} + 1 else ${now} end`;
  }

  /**
   * Inserts unless the id exists already, and returns the stored row either way (idempotent
   * submit); `created` says which. A code another request has throws CodeTakenError.
   */
  async insertOnce(r: CitizenRequest): Promise<{ stored: CitizenRequest; created: boolean }> {
    const inserted = await this.inserts.call(r);
    if (inserted instanceof Error) throw inserted;
    if (inserted) return { stored: toDomain(inserted), created: true };
    const stored = await this.byId(r.id);
    if (!stored) throw new Error(`request ${r.id} neither inserted nor found`);
    return { stored, created: false };
  }

  /**
   * Confirms of one moment go in one statement. A taken code fails that statement for all of
   * them: each is then inserted alone, so only the one whose code is taken hears of it.
   */
  private async insertAll(rs: CitizenRequest[]): Promise<(RequestRow | undefined | Error)[]> {
    if (rs.length > 1) {
      try {
        const rows = await this.insertRows(rs);
        const byId = new Map(rows.map((row) => [row.id, row]));
        return rs.map((r) => byId.get(r.id));
      } catch (e) {
        if (!isCodeTaken(e)) throw e;
      }
    }
    return Promise.all(
      rs.map((r) =>
        this.insertRows([r]).then(
          (rows) => rows[0],
          (e: unknown) => (isCodeTaken(e) ? new CodeTakenError(r.code) : e instanceof Error ? e : new Error(String(e))),
        ),
      ),
    );
  }

  private insertRows(rs: CitizenRequest[]) {
    return this.insertMany(rs.length).execute(filledRows(rs.map(insertValues)));
  }

  byId(id: string): Promise<CitizenRequest | undefined> {
    return this.byIds.read(id);
  }

  private async readMany(ids: string[]): Promise<Map<string, CitizenRequest>> {
    const rows = await this.byIdMany(ids.length).execute(filledRows(ids.map((id) => ({ id }))));
    return new Map(rows.map((r) => [r.id, toDomain(r)]));
  }

  async byCode(code: string): Promise<CitizenRequest | undefined> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.requests).where(eq(t.requests.code, code)).limit(1);
    return rows[0] ? toDomain(rows[0]) : undefined;
  }

  /** The owner's requests, newest first; erased ones are gone from the citizen's view. */
  async listByOwner(owner: Owner, onlyOpen = false, limit = 10): Promise<CitizenRequest[]> {
    const { db, t } = this.d;
    const conditions = [eq(t.requests.channel, owner.channel), eq(t.requests.userId, owner.userId), isNull(t.requests.erasedAt)];
    if (onlyOpen) conditions.push(inArray(t.requests.status, [...OPEN_STATUSES]));
    const rows = await db
      .select()
      .from(t.requests)
      .where(and(...conditions))
      .orderBy(desc(t.requests.createdAt))
      .limit(limit);
    return rows.map(toDomain);
  }

  async reopenUnassigned(reasons: readonly string[], now: number, id?: string): Promise<CitizenRequest[]> {
    if (reasons.length === 0) return [];
    const { db, t } = this.d;
    const r = t.requests;
    const rows = await db
      .update(r)
      .set({ status: 'new', round: sql`${r.round} + 1`, updatedAt: this.touched(now) })
      .where(and(eq(r.status, 'unassigned'), inArray(r.reason, [...reasons]), eq(r.waitlisted, 0), isNull(r.erasedAt), ...(id ? [eq(r.id, id)] : [])))
      .returning();
    return rows.map(toDomain);
  }

  async promoteWaitlisted(sessionId: string, type: string, now: number): Promise<CitizenRequest | undefined> {
    const { db, t } = this.d;
    const r = t.requests;
    const [first] = await db
      .select({ id: r.id })
      .from(r)
      .where(and(eq(r.sessionId, sessionId), eq(r.type, type), eq(r.waitlisted, 1), inArray(r.status, [...OPEN_STATUSES])))
      .orderBy(asc(r.createdAt))
      .limit(1);
    if (!first) return undefined;
    // Conditional: two places freeing at once promote two different requests.
    const rows = await db
      .update(r)
      .set({ waitlisted: 0, status: 'new', reason: null, teamId: null, round: sql`${r.round} + 1`, updatedAt: this.touched(now) })
      .where(and(eq(r.id, first.id), eq(r.waitlisted, 1)))
      .returning();
    return rows[0] ? toDomain(rows[0]) : undefined;
  }

  async expireBefore(date: string, now: number): Promise<CitizenRequest[]> {
    const { db, t } = this.d;
    const r = t.requests;
    const rows = await db
      .update(r)
      .set({ status: 'cancelled', reason: 'expired', closedAt: now, updatedAt: this.touched(now) })
      .where(and(inArray(r.status, [...OPEN_STATUSES]), lt(r.preferredDate, date)))
      .returning();
    return rows.map(toDomain);
  }

  async boundToSession(sessionId: string): Promise<CitizenRequest[]> {
    const { db, t } = this.d;
    const rows = await db.select().from(t.requests).where(and(eq(t.requests.sessionId, sessionId), inArray(t.requests.status, [...OPEN_STATUSES])));
    return rows.map(toDomain);
  }

  async moveToDate(id: string, date: string, now: number): Promise<'moved' | 'requeued' | 'gone'> {
    const { db, t } = this.d;
    const r = t.requests;
    try {
      const rows = await db
        .update(r)
        .set({ preferredDate: date, updatedAt: this.touched(now) })
        .where(and(eq(r.id, id), inArray(r.status, [...OPEN_STATUSES])))
        .returning({ id: r.id });
      return rows.length > 0 ? 'moved' : 'gone';
    } catch (e) {
      if (!isTeamFull(e)) throw e;
    }
    // The team has no room on the new day: the request goes back to the queue for it.
    const rows = await db
      .update(r)
      .set({ preferredDate: date, status: 'new', teamId: null, round: sql`${r.round} + 1`, updatedAt: this.touched(now) })
      .where(and(eq(r.id, id), inArray(r.status, ['assigned', 'claimed'])))
      .returning({ id: r.id });
    return rows.length > 0 ? 'requeued' : 'gone';
  }

  async dueOn(date: string, limit = 1000): Promise<CitizenRequest[]> {
    const { db, t } = this.d;
    const r = t.requests;
    const rows = await db
      .select()
      .from(r)
      .where(and(inArray(r.status, ['assigned', 'claimed']), or(eq(r.visitDate, date), and(isNull(r.visitDate), eq(r.preferredDate, date)))))
      .limit(limit);
    return rows.map(toDomain);
  }

  async setPhone(id: string, phone: string, now: number): Promise<boolean> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.requests)
      .set({ phone, updatedAt: this.touched(now) })
      .where(and(eq(t.requests.id, id), inArray(t.requests.status, [...OPEN_STATUSES])))
      .returning({ id: t.requests.id });
    return rows.length > 0;
  }

  async countForSession(sessionId: string, type: string): Promise<number> {
    const { db, t } = this.d;
    const [n] = await db
      .select({ n: count() })
      .from(t.requests)
      .where(and(eq(t.requests.sessionId, sessionId), eq(t.requests.type, type), inArray(t.requests.status, ['new', 'assigned', 'claimed', 'unassigned', 'done']), eq(t.requests.waitlisted, 0)));
    return Number(n?.n ?? 0);
  }

  async openCountForChat(channel: string, chatId: string): Promise<number> {
    const { db, t } = this.d;
    const [n] = await db
      .select({ n: count() })
      .from(t.requests)
      .where(and(eq(t.requests.channel, channel), eq(t.requests.chatId, chatId), inArray(t.requests.status, [...OPEN_STATUSES])));
    return Number(n?.n ?? 0);
  }

  async openCountForPhone(phone: string): Promise<number> {
    const { db, t } = this.d;
    const [n] = await db.select({ n: count() }).from(t.requests).where(and(eq(t.requests.phone, phone), inArray(t.requests.status, [...OPEN_STATUSES])));
    return Number(n?.n ?? 0);
  }

  async openForPerson(birthYear: number, communeId: string): Promise<CitizenRequest[]> {
    const { db, t } = this.d;
    const rows = await db
      .select()
      .from(t.requests)
      .where(and(eq(t.requests.birthYear, birthYear), eq(t.requests.communeId, communeId), inArray(t.requests.status, [...OPEN_STATUSES])))
      .limit(50);
    return rows.map(toDomain);
  }

  /** A team's open work: bedridden first, then the soonest day, then the oldest. */
  async listByTeam(teamId: string, statuses: readonly RequestStatus[], limit = 50): Promise<CitizenRequest[]> {
    const { db, t } = this.d;
    const held = statuses.length === 2 && statuses.includes('assigned') && statuses.includes('claimed');
    const rows = held
      ? await this.teamWorkStmt.execute({ teamId, limit })
      : await db
          .select()
          .from(t.requests)
          .where(and(eq(t.requests.teamId, teamId), inArray(t.requests.status, [...statuses])))
          .orderBy(t.requests.priority, t.requests.preferredDate, t.requests.createdAt)
          .limit(limit);
    return rows.map(toDomain);
  }

  /** The console's list: the filters, bedridden first then the oldest, a page of it and how many in all. */
  async board(f: BoardFilter): Promise<{ rows: BoardRow[]; total: number }> {
    const { db, t } = this.d;
    const r = t.requests;
    const where = and(...this.boardWhere(f));
    const columns = {
      id: r.id, code: r.code, type: r.type, status: r.status, reason: r.reason, condition: r.condition,
      personName: r.personName, communeId: r.communeId, preferredDate: r.preferredDate, teamId: r.teamId, createdAt: r.createdAt,
    };
    const [rows, [n]] = await Promise.all([
      db.select(columns).from(r).where(where).orderBy(asc(r.priority), asc(r.createdAt)).limit(f.limit).offset(f.offset),
      db.select({ n: count() }).from(r).where(where),
    ]);
    return {
      rows: rows.map((x) => ({
        ...x,
        type: x.type as BoardRow['type'],
        status: x.status as BoardRow['status'],
        condition: x.condition as BoardRow['condition'],
        reason: x.reason ?? undefined,
        personName: x.personName ?? '',
        teamId: x.teamId ?? undefined,
        createdAt: Number(x.createdAt),
      })),
      total: Number(n?.n ?? 0),
    };
  }

  private boardWhere(f: BoardFilter): SQL[] {
    const r = this.d.t.requests;
    const state = f.state ?? 'open';
    // Open: the partial index's own condition, word for word.
    const w: SQL[] = state === 'open' ? [sql.raw(OPEN_BOARD)] : [isNull(r.erasedAt)];
    if (f.communes.length > 0) w.push(inArray(r.communeId, f.communes));
    const held = inArray(r.status, ['assigned', 'claimed']);
    switch (state) {
      case 'open':
        break;
      case 'overdue':
        w.push(held, lt(r.preferredDate, f.today));
        break;
      case 'done_today':
        w.push(eq(r.status, 'done'), gte(r.closedAt, f.todayStart));
        break;
      case 'all':
        break;
      default:
        w.push(eq(r.status, state));
    }
    if (f.communeId) w.push(eq(r.communeId, f.communeId));
    if (f.teamId) w.push(eq(r.teamId, f.teamId));
    if (f.type) w.push(eq(r.type, f.type));
    if (f.day) w.push(eq(r.preferredDate, f.day));
    if (f.condition) w.push(eq(r.condition, f.condition));
    if (f.search) {
      const q = f.search.trim().toUpperCase();
      // A code (TB-7K3Q, "tb7k3q") or the phone's last digits.
      const code = /^TB[\s-]?([A-Z0-9]{4})$/.exec(q);
      if (code) w.push(eq(r.code, `TB-${code[1]}`));
      else if (/^\d{3,10}$/.test(q)) w.push(like(r.phone, `%${q}`));
      else w.push(sql`false`);
    }
    return w;
  }

  /**
   * The board's counts in two reads: the open requests by state, reason and whether overdue
   * (a few thousand rows, by the status index), and today's done ones (by status and time).
   */
  async counts(communes: string[], today: string, todayStart: number): Promise<BoardCounts> {
    const { db, t } = this.d;
    const r = t.requests;
    const scope = communes.length > 0 ? inArray(r.communeId, communes) : undefined;
    const late = sql<number>`case when ${r.preferredDate} < ${today} then 1 else 0 end`;
    const [open, [doneToday]] = await Promise.all([
      db
        .select({ status: r.status, reason: r.reason, late, n: count() })
        .from(r)
        .where(and(scope, inArray(r.status, ['new', 'unassigned', 'assigned', 'claimed'])))
        // By position: PostgreSQL would see the repeated expression's parameter ($1, then $2) as
        // another expression and refuse the select.
        .groupBy(r.status, r.reason, sql`3`),
      db.select({ n: count() }).from(r).where(and(scope, eq(r.status, 'done'), gte(r.closedAt, todayStart))),
    ]);
    const c: BoardCounts = { new: 0, unassigned: 0, assigned: 0, claimed: 0, overdue: 0, done_today: Number(doneToday?.n ?? 0), reasons: {} };
    for (const x of open) {
      const n = Number(x.n);
      c[x.status as 'new' | 'unassigned' | 'assigned' | 'claimed'] += n;
      if (x.status === 'unassigned') c.reasons[x.reason ?? ''] = (c.reasons[x.reason ?? ''] ?? 0) + n;
      if ((x.status === 'assigned' || x.status === 'claimed') && Number(x.late) === 1) c.overdue += n;
    }
    return c;
  }

  async possibleDuplicates(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { db, t } = this.d;
    const r = t.requests;
    const mine = await db.select({ id: r.id, phone: r.phone, name: r.personName, year: r.birthYear, commune: r.communeId }).from(r).where(inArray(r.id, ids));
    const phones = [...new Set(mine.map((m) => m.phone).filter((p): p is string => !!p))];
    const years = [...new Set(mine.map((m) => m.year).filter((y): y is number => y !== null))];
    const open = and(inArray(r.status, [...OPEN_STATUSES]), isNull(r.erasedAt));
    // Candidates: the same phone, or someone born the same year (names are compared folded
    // here: SQL's lower() does not know "Ê" from "ê").
    const others = await db
      .select({ id: r.id, phone: r.phone, name: r.personName, year: r.birthYear, commune: r.communeId })
      .from(r)
      .where(and(open, or(phones.length > 0 ? inArray(r.phone, phones) : undefined, years.length > 0 ? inArray(r.birthYear, years) : undefined)));
    const person = (x: { name: string | null; year: number | null; commune: string }) => `${foldText(x.name ?? '')}|${x.year}|${x.commune}`;
    // Who holds each phone and each person, folded once per row (a board page has thousands of
    // candidates born the same years: folding them again for every row of the page was 100 ms).
    const holders = new Map<string, Set<string>>();
    const hold = (key: string, id: string) => holders.set(key, (holders.get(key) ?? new Set()).add(id));
    for (const o of others) {
      if (o.phone) hold(`phone:${o.phone}`, o.id);
      if (o.name) hold(`person:${person(o)}`, o.id);
    }
    const another = (key: string, id: string) => [...(holders.get(key) ?? [])].some((holder) => holder !== id);
    const flagged = new Set<string>();
    for (const m of mine) {
      if ((m.phone && another(`phone:${m.phone}`, m.id)) || (m.name && another(`person:${person(m)}`, m.id))) flagged.add(m.id);
    }
    return flagged;
  }

  async teamVersion(teamId: string): Promise<string> {
    return versionOf((await this.teamVersionStmt.execute({ teamId }))[0]);
  }

  async version(communes: string[]): Promise<string> {
    const { db, t } = this.d;
    const [v] = await db
      .select(this.versionColumns())
      .from(t.requests)
      .where(communes.length > 0 ? inArray(t.requests.communeId, communes) : undefined);
    return versionOf(v);
  }

  /**
   * How many rows, and the sum of their change times (modulo a prime, to stay exact in a
   * double): every change raises one row's time (see `touched`), so the pair moves on any
   * change, arrival or departure, whatever the clocks say.
   */
  private versionColumns() {
    return { n: count(), sum: sql<string>`coalesce(sum(${this.d.t.requests.updatedAt} % 2147483647), 0)` };
  }

  /**
   * Moves a request between states only from the expected ones: a stale or double action changes
   * nothing. `o.expected`: only if nobody changed it since (a page acting on what it showed).
   */
  async transition(id: string, from: readonly RequestStatus[], to: RequestStatus, now: number, o: TransitionOptions = {}): Promise<boolean> {
    const { db, t } = this.d;
    const closing = to === 'done' || to === 'cancelled';
    const visit = o.visit ? { visitDate: o.visit.date, visitFrom: o.visit.from, visitTo: o.visit.to } : {};
    const reopen = o.reopen ? { closedAt: null, teamId: null, outcome: null, outcomes: '[]' } : {};
    const done = o.outcomes?.length ? o.outcomes : o.outcome ? [o.outcome] : undefined;
    const rows = await db
      .update(t.requests)
      .set({ status: to, updatedAt: this.touched(now), ...(closing ? { closedAt: now } : {}), ...(o.reason !== undefined ? { reason: o.reason } : {}), ...(done ? { outcome: done[0], outcomes: JSON.stringify(done) } : {}), ...visit, ...reopen })
      .where(and(eq(t.requests.id, id), inArray(t.requests.status, [...from]), ...this.unchangedSince(o.expected)))
      .returning({ id: t.requests.id });
    return rows.length > 0;
  }

  private unchangedSince(expected: number | undefined): SQL[] {
    return expected === undefined ? [] : [eq(this.d.t.requests.updatedAt, expected)];
  }

  /**
   * A commander gives an open request to a team by hand, whoever held it: a new round (the old
   * card and its buttons go stale), unless it was new and had none. 'full': the team has no room
   * that day; 'changed': someone else changed it since `expected`.
   */
  async assignByHand(id: string, teamId: string, expected: number, now: number): Promise<{ round: number } | 'full' | 'changed'> {
    const { db, t } = this.d;
    const r = t.requests;
    try {
      const rows = await db
        .update(r)
        .set({
          status: 'assigned',
          teamId,
          assignedAt: now,
          updatedAt: this.touched(now),
          reason: null,
          round: sql`case when ${r.status} = 'new' then ${r.round} else ${r.round} + 1 end`,
          excludedTeams: '[]',
        })
        .where(and(eq(r.id, id), inArray(r.status, [...OPEN_STATUSES]), eq(r.updatedAt, expected)))
        .returning({ round: r.round });
      return rows[0] ? { round: rows[0].round } : 'changed';
    } catch (e) {
      if (isTeamFull(e)) return 'full';
      throw e;
    }
  }

  /** Back to the queue, for the next round: no team holds it, none is ruled out. */
  async requeue(id: string, expected: number, now: number): Promise<number | undefined> {
    const { db, t } = this.d;
    const r = t.requests;
    const rows = await db
      .update(r)
      .set({ status: 'new', teamId: null, reason: null, round: sql`${r.round} + 1`, excludedTeams: '[]', updatedAt: this.touched(now) })
      .where(and(eq(r.id, id), inArray(r.status, ['assigned', 'claimed', 'unassigned']), eq(r.updatedAt, expected)))
      .returning({ round: r.round });
    return rows[0]?.round;
  }

  /** The officer who holds it changes when they will come. */
  async setVisit(id: string, teamId: string, visit: Visit, now: number): Promise<boolean> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.requests)
      .set({ visitDate: visit.date, visitFrom: visit.from, visitTo: visit.to, updatedAt: this.touched(now) })
      .where(and(eq(t.requests.id, id), eq(t.requests.teamId, teamId), eq(t.requests.status, 'claimed')))
      .returning({ id: t.requests.id });
    return rows.length > 0;
  }

  /**
   * Gives a new request to a team, only if it is still new ('taken': another worker did) and the
   * team has room that day ('full': the database's load trigger refused it).
   */
  async assignTo(id: string, teamId: string, now: number): Promise<AssignOutcome> {
    const outcome = await this.assigns.call({ id, teamId, now });
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }

  /**
   * One statement for the batch. A full team fails it for all (the load trigger refuses the
   * statement), as may a deadlock with another process's batch over the same requests: then
   * each is assigned alone, in turn, so only the one that does not fit hears 'full'. The same request
   * twice in a batch: the first call assigns it, the later ones find it taken.
   */
  private async assignAll(items: Assignment[]): Promise<(AssignOutcome | Error)[]> {
    const first = new Map<string, Assignment>();
    for (const a of items) if (!first.has(a.id)) first.set(a.id, a);
    const unique = [...first.values()];
    const outcome = new Map<string, AssignOutcome | Error>();
    const together = unique.length > 1 ? await this.assignRows(unique).catch(() => undefined) : undefined;
    if (together) for (const a of unique) outcome.set(a.id, together.has(a.id) ? 'assigned' : 'taken');
    else
      // In the order they were asked, as separate statements would be: the first gets the last place.
      for (const a of unique) {
        outcome.set(
          a.id,
          await this.assignRows([a]).then(
            (days) => (days.has(a.id) ? 'assigned' : 'taken'),
            (e: unknown) => (isTeamFull(e) ? 'full' : e instanceof Error ? e : new Error(String(e))),
          ),
        );
      }
    return items.map((a) => (first.get(a.id) === a ? outcome.get(a.id)! : 'taken'));
  }

  /** Assigns those still new; returns the day of each one assigned, and counts it in the loads last read. */
  private async assignRows(items: Assignment[]): Promise<Map<string, string>> {
    const rows = await this.assignMany(items.length).execute(filledRows(items));
    const days = new Map(rows.map((r) => [r.id, r.day]));
    for (const a of items) {
      const day = days.get(a.id);
      const loads = day === undefined ? undefined : this.loads.get(day)?.loads;
      if (loads) loads.set(a.teamId, (loads.get(a.teamId) ?? 0) + 1);
    }
    return days;
  }

  /** Requests each team holds on a day: what capacity and "least loaded" are measured on. */
  async loadOnDay(date: string, maxAgeMs = 0): Promise<Map<string, number>> {
    const known = this.loads.get(date);
    if (known && Date.now() - known.at < maxAgeMs) return new Map(known.loads);
    const rows = await this.loadStmt.execute({ date });
    const loads = new Map(rows.map((r) => [r.teamId, Number(r.n)]));
    if (this.loads.size > 400) this.loads.clear();
    this.loads.set(date, { at: Date.now(), loads });
    return new Map(loads);
  }

  async setUnassigned(id: string, reason: string, now: number): Promise<boolean> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.requests)
      .set({ status: 'unassigned', reason, teamId: null, updatedAt: this.touched(now) })
      .where(and(eq(t.requests.id, id), inArray(t.requests.status, ['new', 'assigned', 'claimed'])))
      .returning({ id: t.requests.id });
    return rows.length > 0;
  }

  /** A team hands the request back: it becomes new again for the next round, without that team. */
  async handBack(id: string, teamId: string, now: number): Promise<number | undefined> {
    const { db, t } = this.d;
    const r = await this.byId(id);
    if (!r || !r.teamId || r.teamId !== teamId || (r.status !== 'assigned' && r.status !== 'claimed')) return undefined;
    const excluded = JSON.stringify([...new Set([...(r.excludedTeams ?? []), teamId])]);
    const rows = await db
      .update(t.requests)
      .set({ status: 'new', teamId: null, round: sql`${t.requests.round} + 1`, excludedTeams: excluded, updatedAt: this.touched(now) })
      .where(and(eq(t.requests.id, id), eq(t.requests.teamId, teamId), inArray(t.requests.status, ['assigned', 'claimed'])))
      .returning({ round: t.requests.round });
    return rows[0]?.round;
  }


  /** New requests not yet worked: the outbox the reconciler re-enqueues after Redis was down. */
  async waitingIds(olderThan: number, limit = 1000): Promise<{ id: string; round: number; priority: number }[]> {
    const { db, t } = this.d;
    return db
      .select({ id: t.requests.id, round: t.requests.round, priority: t.requests.priority })
      .from(t.requests)
      .where(and(eq(t.requests.status, 'new'), lt(t.requests.updatedAt, olderThan)))
      .orderBy(t.requests.createdAt)
      .limit(limit);
  }

  /**
   * Assigned requests whose card was never posted (the follow-up jobs were lost with a Redis
   * that restarted without its data, or the process died between the two writes).
   */
  async assignedWithoutCard(olderThan: number, limit = 500): Promise<string[]> {
    const { db, t } = this.d;
    const rows = await db
      .select({ id: t.requests.id })
      .from(t.requests)
      .leftJoin(t.cards, eq(t.cards.requestId, t.requests.id))
      .where(and(eq(t.requests.status, 'assigned'), lt(t.requests.assignedAt, olderThan), or(isNull(t.cards.requestId), isNull(t.cards.messageId))))
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /** Retention: personal data of requests closed before the cutoff is erased; the counts stay. */
  async anonymiseClosedBefore(cutoff: number, now: number): Promise<number> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.requests)
      .set({ ...ERASED, erasedAt: now, updatedAt: this.touched(now) })
      .where(and(isNotNull(t.requests.closedAt), lt(t.requests.closedAt, cutoff), isNull(t.requests.erasedAt)))
      .returning({ id: t.requests.id });
    if (rows.length > 0) await this.eraseNotes();
    return rows.length;
  }

  /** Staff notes and the person's comments can hold personal data too: erased with the request's. */
  private async eraseNotes(): Promise<void> {
    const { db, t } = this.d;
    const erased = db.select({ id: t.requests.id }).from(t.requests).where(isNotNull(t.requests.erasedAt));
    await db.update(t.feedback).set({ comment: null }).where(and(isNotNull(t.feedback.comment), inArray(t.feedback.requestId, erased)));
    await db
      .update(t.requestNotes)
      .set({ text: null })
      .where(and(isNotNull(t.requestNotes.text), inArray(t.requestNotes.requestId, erased)));
  }

  /**
   * Erases the personal data of all of an owner's requests but keeps the anonymous row
   * (type, commune, condition category, dates) that the unit's reports count. Open ones are
   * cancelled by the service first, so their cancellation is told like any other.
   */
  async eraseOwner(owner: Owner, now: number): Promise<string[]> {
    const { db, t } = this.d;
    const rows = await db
      .update(t.requests)
      .set({ ...ERASED, chatId: '', userId: '', erasedAt: now, updatedAt: this.touched(now) })
      .where(and(eq(t.requests.channel, owner.channel), eq(t.requests.userId, owner.userId), isNull(t.requests.erasedAt)))
      .returning({ id: t.requests.id });
    if (rows.length > 0) await this.eraseNotes();
    return rows.map((r) => r.id);
  }
}

function versionOf(v: { n: number; sum: string } | undefined): string {
  return `${Number(v?.n ?? 0)}.${String(v?.sum ?? 0)}`;
}

/** SQLite: "UNIQUE constraint failed: requests.code"; PostgreSQL: "… unique constraint "requests_code_unique"". */
function isCodeTaken(e: unknown): boolean {
  return causes(e).some((c) => /unique/i.test(c.message) && /requests[._]code/.test(c.message));
}

/** An error and what caused it: drizzle wraps the PostgreSQL driver's error, not SQLite's. */
function causes(e: unknown): Error[] {
  const chain: Error[] = [];
  for (let cur = e; cur instanceof Error && chain.length < 5; cur = cur.cause) chain.push(cur);
  return chain;
}

/** The load trigger's refusal, as either driver reports it. */
function isTeamFull(e: unknown): boolean {
  return causes(e).some((c) => c.message.includes('team_full'));
}

const ERASED: Record<string, null> = Object.fromEntries(PERSONAL_COLUMNS.map((k) => [k, null]));

/** The row a new request is stored as: its fields (from the field table) and its bookkeeping. */
function insertValues(r: CitizenRequest): Record<string, unknown> {
  return {
    ...fieldsToColumns(r),
    id: r.id,
    code: r.code,
    status: r.status,
    channel: r.channel,
    chatId: r.chatId,
    userId: r.userId,
    consentVersion: r.consentVersion,
    priority: priorityOf(r.condition),
    waitlisted: r.waitlisted ? 1 : 0,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

// Only its keys are read: the columns of the prepared insert.
const SAMPLE = {
  id: '', code: '', type: 'home', status: 'new', channel: '', chatId: '', userId: '', filedFor: 'self', consentAt: 0, consentVersion: '',
  personName: '', birthYear: 0, condition: 'other', communeId: '', address: '', phone: '', services: [], preferredDate: '', createdAt: 0, updatedAt: 0,
} satisfies CitizenRequest;

type RequestRow = Tables['requests']['$inferSelect'];

/** Several outcomes are kept as a JSON list; one alone reads as `outcome` only. */
function outcomesOf(json: string): Outcome[] | undefined {
  const list = JSON.parse(json) as Outcome[];
  return list.length > 1 ? list : undefined;
}

function toDomain(r: RequestRow): CitizenRequest {
  const f = fieldsFromColumns(r as unknown as Record<string, unknown>);
  return {
    ...f,
    // An erased request keeps its row for the counts; its personal fields read as empty.
    personName: f.personName ?? '',
    birthYear: f.birthYear ?? 0,
    address: f.address ?? '',
    phone: f.phone ?? '',
    consentAt: Number(r.consentAt),
    id: r.id,
    code: r.code,
    status: r.status as RequestStatus,
    channel: r.channel,
    chatId: r.chatId,
    userId: r.userId,
    consentVersion: r.consentVersion,
    createdAt: Number(r.createdAt),
    updatedAt: Number(r.updatedAt),
    teamId: r.teamId ?? undefined,
    assignedAt: r.assignedAt === null ? undefined : Number(r.assignedAt),
    round: r.round,
    excludedTeams: JSON.parse(r.excludedTeams) as string[],
    outcome: (r.outcome ?? undefined) as Outcome | undefined,
    outcomes: outcomesOf(r.outcomes),
    reason: r.reason ?? undefined,
    closedAt: r.closedAt === null ? undefined : Number(r.closedAt),
    erasedAt: r.erasedAt === null ? undefined : Number(r.erasedAt),
    visit: r.visitDate && r.visitFrom && r.visitTo ? { date: r.visitDate, from: r.visitFrom, to: r.visitTo } : undefined,
    waitlisted: r.waitlisted === 1 ? true : undefined,
  };
}
