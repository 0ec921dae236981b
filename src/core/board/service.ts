import { localDate, VN_OFFSET_MS } from '../../domain/dates.js';
import type { BoardRow, CitizenRequest } from '../../domain/request.js';
import type { StaffMember, Team } from '../../domain/team.js';
import type { AreaService } from '../areas/service.js';
import type { AuditLog, BoardCounts, BoardFilter, CardStore, Clock, Note, NoteStore, RequestBoard, RequestStore, StaffStore, TeamStore } from '../ports.js';

export type BoardQuery = Omit<BoardFilter, 'communes' | 'today' | 'todayStart' | 'limit' | 'offset'> & { page?: number };

/** One line of a request's history: who (a staff member's name, the citizen, the system), what, when. */
export interface TimelineEntry {
  at: number;
  who: { kind: 'staff'; name: string } | { kind: 'citizen' } | { kind: 'system' };
  action: string;
  note?: string;
}

export const BOARD_PAGE = 50;
const VERSION_TTL_MS = 1000;

/** What a page shows of a request's card: who took it, how often nobody answered. */
export interface CardView {
  claimedBy?: string;
  claimedName?: string;
  attempts: number;
}

/**
 * What the console reads: the commander's board (counts, filters, one page of requests),
 * a team's work list, one request with its history, and a version that changes whenever a
 * request does, so a page refreshes itself. Reads only; every change goes through the
 * services the chats use.
 */
export class BoardService {
  private readonly versions = new Map<string, { at: number; value: Promise<string> }>();
  private readonly pages = new Map<string, { version: string; value: Promise<unknown> }>();

  constructor(
    private readonly board: RequestBoard,
    private readonly requests: RequestStore,
    private readonly teams: TeamStore,
    private readonly staff: StaffStore,
    private readonly cards: CardStore,
    private readonly notes: NoteStore,
    private readonly audit: AuditLog,
    readonly areas: AreaService,
    private readonly clock: Clock,
    /** Of these requests, those whose person is past their channel's reply window (only a call reaches them). */
    private readonly silent: (requestIds: string[]) => Promise<Set<string>> = async () => new Set(),
  ) {}

  today(): string {
    return localDate(new Date(this.clock.now()));
  }

  private todayStart(): number {
    return Date.parse(`${this.today()}T00:00:00Z`) - VN_OFFSET_MS;
  }

  /**
   * The counts and the page a board shows, remembered per scope and filter until the version
   * changes: forty commanders looking at the same board cost one read per change. A search is
   * never remembered (it holds a phone's digits).
   */
  async counts(by: StaffMember): Promise<BoardCounts> {
    const v = await this.version(by);
    return this.remember(`counts|${by.communes.join(',')}|${this.today()}`, v, () => this.board.counts(by.communes, this.today(), this.todayStart()));
  }

  async list(by: StaffMember, q: BoardQuery): Promise<{ rows: BoardRow[]; total: number; page: number; pages: number }> {
    const page = Math.max(1, q.page ?? 1);
    const read = async () => {
      const { rows, total } = await this.board.board({
        ...q,
        // A commander of some communes asking for another one gets nothing, not an error.
        communes: by.communes,
        today: this.today(),
        todayStart: this.todayStart(),
        limit: BOARD_PAGE,
        offset: (page - 1) * BOARD_PAGE,
      });
      return { rows, total, page, pages: Math.max(1, Math.ceil(total / BOARD_PAGE)) };
    };
    if (q.search) return read();
    const v = await this.version(by);
    return this.remember(`list|${by.communes.join(',')}|${this.today()}|${JSON.stringify(q)}|${page}`, v, read);
  }

  /** Forgets what was remembered: a change made in this process shows on its next page at once. */
  changed(): void {
    this.versions.clear();
    this.pages.clear();
  }

  private remember<T>(key: string, version: string, read: () => Promise<T>): Promise<T> {
    const hit = this.pages.get(key);
    if (hit && hit.version === version) return hit.value as Promise<T>;
    const value = read();
    if (this.pages.size >= 500) this.pages.clear();
    this.pages.set(key, { version, value });
    value.catch(() => this.pages.delete(key));
    return value;
  }

  /**
   * The board's version, read at most once a second per scope (every open board asks every few
   * seconds; each read scans the scope). A change shows at most a second later than it would.
   */
  version(by: StaffMember): Promise<string> {
    return this.versionOf(by.communes);
  }

  private versionOf(communes: string[]): Promise<string> {
    const key = communes.join(',');
    const hit = this.versions.get(key);
    const now = performance.now();
    if (hit && now - hit.at < VERSION_TTL_MS) return hit.value;
    const value = this.board.version(communes);
    this.versions.set(key, { at: now, value });
    // A failed read is not remembered.
    value.catch(() => this.versions.delete(key));
    return value;
  }

  /** Changes when the team's work does: given, taken, moved on (a small read by the team index). */
  teamVersion(teamId: string): Promise<string> {
    return this.board.teamVersion(teamId);
  }

  /**
   * Which of these may be filed twice (the same phone, or the same person): flagged for the
   * commander. Remembered like a page, until any request of the unit changes (the other one may
   * be in another commune): it compares the page with every open request born the same years,
   * names folded, and was most of a board page's CPU when read for every view.
   */
  async possibleDuplicates(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const v = await this.versionOf([]);
    return this.remember(`duplicates|${ids.join(',')}`, v, () => this.board.possibleDuplicates(ids));
  }

  /** Which of these the bot can no longer write to freely (the person has not written for too long): the commander calls. */
  silentContacts(ids: string[]): Promise<Set<string>> {
    return this.silent(ids);
  }

  /** The current cards of a list of requests, in one read. */
  async cardsOf(rs: readonly CitizenRequest[]): Promise<Map<string, CardView>> {
    const cards = await this.cards.ofRequests(rs.map((r) => ({ requestId: r.id, round: r.round ?? 0 })));
    return new Map([...cards].map(([id, c]) => [id, { claimedBy: c.claimedBy ?? undefined, claimedName: c.claimedName ?? undefined, attempts: c.attempts }]));
  }

  teamsList(): Promise<Team[]> {
    return this.teams.active();
  }

  team(id: string): Promise<Team | undefined> {
    return this.teams.byId(id);
  }

  byCode(code: string): Promise<CitizenRequest | undefined> {
    return this.requests.byCode(code);
  }

  /** How many requests each team holds on a day, against its capacity (the assign form shows it). */
  loads(date: string): Promise<Map<string, number>> {
    return this.requests.loadOnDay(date);
  }

  /**
   * A team's open work and its version, the work remembered until the version changes: every
   * officer of the team has the page open, and reading and mapping the rows was most of a view.
   */
  async teamWork(teamId: string): Promise<{ work: readonly CitizenRequest[]; version: string }> {
    const version = await this.teamVersion(teamId);
    return { work: await this.remember(`work|${teamId}`, version, () => this.requests.listByTeam(teamId, ['assigned', 'claimed'], 200)), version };
  }

  /** Who claimed it (for the card's rule that only they close it) and how often nobody answered. */
  async cardOf(r: CitizenRequest): Promise<CardView | undefined> {
    const card = await this.cards.get(r.id, r.round ?? 0);
    return card ? { claimedBy: card.claimedBy ?? undefined, claimedName: card.claimedName ?? undefined, attempts: card.attempts } : undefined;
  }

  /** Everything that happened to a request, and the staff's notes, oldest first. */
  async timeline(r: CitizenRequest): Promise<TimelineEntry[]> {
    const [events, notes] = await Promise.all([this.audit.forSubject(r.id), this.notes.of(r.id)]);
    const names = new Map<string, string>();
    const who = async (actor: string): Promise<TimelineEntry['who']> => {
      if (actor === 'system') return { kind: 'system' };
      if (!actor.startsWith('staff:')) return { kind: 'citizen' };
      const id = actor.slice('staff:'.length);
      if (!names.has(id)) names.set(id, (await this.staff.byId(id))?.name ?? id);
      return { kind: 'staff', name: names.get(id)! };
    };
    const entries: TimelineEntry[] = [];
    for (const e of events) if (e.action !== 'note_added') entries.push({ at: e.at, who: await who(e.actor), action: e.action });
    for (const n of notes) entries.push({ at: n.at, who: await who(`staff:${n.staffId}`), action: 'note_added', note: n.text });
    return entries.sort((a, b) => a.at - b.at);
  }

  notesOf(r: CitizenRequest): Promise<Note[]> {
    return this.notes.of(r.id);
  }
}
