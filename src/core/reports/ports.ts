/** What the results, targets and reports need from storage (implemented in src/db/repositories). */

/** What a team did at a session (or on a day of home visits), as its lead records it. */
export const RESULT_FIELDS = ['cccdNew', 'cccdAtHome', 'cccdReissue', 'vneidLevel1', 'vneidLevel2', 'vneidDocuments', 'fireClass', 'fireAttendees', 'peopleDriven'] as const;
export type ResultField = (typeof RESULT_FIELDS)[number];
export type ResultCounts = Record<ResultField, number>;

export interface SessionResult extends ResultCounts {
  id: string;
  sessionId: string | null;
  teamId: string;
  /** YYYY-MM-DD */
  day: string;
  communeId: string;
  recordedBy: string;
  recordedAt: number;
}

export interface ResultStore {
  /** One row per team, day and commune: recording again replaces the numbers. */
  save(r: SessionResult): Promise<void>;
  of(teamId: string, day: string, communeId: string): Promise<SessionResult | undefined>;
  /** Days from..to (inclusive), in these communes (empty: all), oldest first. */
  between(from: string, to: string, communes: readonly string[]): Promise<SessionResult[]>;
}

/** A target the province set for a period: a result counted from `baseline` towards `target`. */
export interface Target {
  id: string;
  metric: ResultField;
  periodStart: string;
  periodEnd: string;
  target: number;
  baseline: number;
  updatedBy: string;
  updatedAt: number;
}

export interface TargetStore {
  all(): Promise<Target[]>;
  byId(id: string): Promise<Target | undefined>;
  save(t: Target): Promise<void>;
  remove(id: string): Promise<boolean>;
}

/** A request as the reports count it (personal fields only for the commanders' export). */
export interface ReportRequest {
  id: string;
  code: string;
  type: string;
  status: string;
  reason: string | null;
  communeId: string;
  teamId: string | null;
  preferredDate: string;
  createdAt: number;
  closedAt: number | null;
  outcomes: string[];
  personName: string | null;
  birthYear: number | null;
  address: string | null;
  phone: string | null;
}

export interface ReportData {
  /**
   * Requests filed between the two instants, or done between them (filed earlier), in these
   * communes (empty: all), oldest first.
   */
  requests(fromMs: number, toMs: number, communes: readonly string[]): Promise<ReportRequest[]>;
  /** Of these requests, those an officer could not reach at least once. */
  unreachable(ids: readonly string[]): Promise<Set<string>>;
  /** The citizens' answers to "did the officer come?" for these requests: answer → count. */
  feedback(ids: readonly string[]): Promise<Record<string, number>>;
}
