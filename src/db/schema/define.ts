import { sql } from 'drizzle-orm';
import type { index as sqliteIndex, uniqueIndex as sqliteUniqueIndex, integer as sqliteInteger, sqliteTable, text as sqliteText } from 'drizzle-orm/sqlite-core';

/** The open requests, as one literal condition (a partial index is used only for the same text). */
export const OPEN_BOARD = "status in ('new', 'assigned', 'claimed', 'unassigned') and erased_at is null";

/**
 * The tables are written once and built for each dialect from that dialect's column builders,
 * so SQLite and PostgreSQL cannot drift apart. The types are SQLite's; the PostgreSQL build has
 * the same column names and JS shapes (text, integer, bigint-as-number), which is all the
 * repositories rely on.
 */
export interface Builders {
  table: typeof sqliteTable;
  text: typeof sqliteText;
  int: (name: string) => ReturnType<typeof sqliteInteger>;
  /** epoch milliseconds: needs 64 bits in PostgreSQL */
  time: (name: string) => ReturnType<typeof sqliteInteger>;
  index: typeof sqliteIndex;
  uniqueIndex: typeof sqliteUniqueIndex;
}

export function defineTables(b: Builders) {
  const areas = b.table(
    'areas',
    {
      id: b.text('id').primaryKey(),
      name: b.text('name').notNull(),
      kind: b.text('kind').notNull(),
      parentId: b.text('parent_id'),
      aliases: b.text('aliases').notNull().default('[]'),
      active: b.int('active').notNull().default(1),
    },
    (t) => [b.index('areas_parent_idx').on(t.parentId)],
  );

  const requests = b.table(
    'requests',
    {
      id: b.text('id').primaryKey(),
      code: b.text('code').notNull().unique(),
      type: b.text('type').notNull(),
      status: b.text('status').notNull(),
      channel: b.text('channel').notNull(),
      chatId: b.text('chat_id').notNull(),
      userId: b.text('user_id').notNull(),
      filedFor: b.text('filed_for').notNull(),
      consentAt: b.time('consent_at').notNull(),
      consentVersion: b.text('consent_version').notNull(),
      personName: b.text('person_name'),
      birthYear: b.int('birth_year'),
      condition: b.text('condition').notNull(),
      priority: b.int('priority').notNull(),
      communeId: b.text('commune_id').notNull(),
      address: b.text('address'),
      pickupAddress: b.text('pickup_address'),
      people: b.int('people'),
      phone: b.text('phone'),
      services: b.text('services').notNull(),
      preferredDate: b.text('preferred_date').notNull(),
      notes: b.text('notes'),
      createdAt: b.time('created_at').notNull(),
      updatedAt: b.time('updated_at').notNull(),
      closedAt: b.time('closed_at'),
      erasedAt: b.time('erased_at'),
      teamId: b.text('team_id'),
      assignedAt: b.time('assigned_at'),
      /** Incremented on every hand-back: the assignment job of each round has its own id. */
      round: b.int('round').notNull().default(0),
      /** Teams that handed this request back (JSON ids): not chosen again. */
      excludedTeams: b.text('excluded_teams').notNull().default('[]'),
      outcome: b.text('outcome'),
      /** Why it is unassigned, for the admin. */
      reason: b.text('reason'),
      /** When the officer who took it will come: a day and a time window (HH:MM). */
      visitDate: b.text('visit_date'),
      visitFrom: b.text('visit_from'),
      visitTo: b.text('visit_to'),
      /** The session it was filed for (a ride to it, or a home visit on its day), if any. */
      sessionId: b.text('session_id'),
      /** 1: the session was full when filed; assigned once a place frees. */
      waitlisted: b.int('waitlisted').notNull().default(0),
      /** Everything done on the visit (JSON list: a CCCD taken and VNeID level 2 activated); `outcome` is the first. */
      outcomes: b.text('outcomes').notNull().default('[]'),
      /** Filed from far away for someone at home: the relative's own number (E.164, any country), their country (ISO) and time zone (IANA). */
      relativePhone: b.text('relative_phone'),
      relativeCountry: b.text('relative_country'),
      timeZone: b.text('time_zone'),
    },
    (t) => [
      b.index('requests_owner_idx').on(t.channel, t.userId),
      b.index('requests_session_idx').on(t.sessionId, t.type, t.status),
      b.index('requests_phone_idx').on(t.phone),
      // Intake's checks before a confirm (open requests from this chat, for this person): without
      // them each confirm read every request of its channel, or every open one.
      b.index('requests_chat_idx').on(t.chatId, t.channel),
      b.index('requests_person_idx').on(t.birthYear, t.communeId),
      b.index('requests_day_team_idx').on(t.preferredDate, t.teamId, t.status),
      // The console's board: its order, and any filter by status. (No index on updated_at: every
      // change of a request would write one more index entry on PostgreSQL, and nothing reads
      // by it but the new-request reconciler, which has the status.)
      b.index('requests_board_idx').on(t.status, t.priority, t.createdAt),
      b.index('requests_team_idx').on(t.teamId, t.status),
      // "Done today" on the board, and retention's closed-before scan.
      b.index('requests_closed_idx').on(t.status, t.closedAt),
      // The board's default view (every open request, bedridden first, then the oldest), read in
      // order and stopped after a page. Its condition is written the same in the query.
      b.index('requests_open_board_idx').on(t.priority, t.createdAt).where(sql.raw(OPEN_BOARD)),
    ],
  );

  /**
   * An officer team. Its work chat is a group on any channel that has groups (`work_channel`,
   * `chat_id`), or none: the officers then work from their own chats and the web work page.
   */
  const teams = b.table('teams', {
    id: b.text('id').primaryKey(),
    name: b.text('name').notNull(),
    workChannel: b.text('work_channel'),
    chatId: b.text('chat_id'),
    communes: b.text('communes').notNull().default('[]'),
    capabilities: b.text('capabilities').notNull().default('[]'),
    capacityPerDay: b.int('capacity_per_day').notNull(),
    active: b.int('active').notNull().default(1),
  });

  /**
   * A person of the unit: an officer of a team, a commander, or both. Who they are on each
   * channel is in `identities`, so an officer who lives on Zalo is as much an officer as one on
   * Telegram. `root`: seeded from ADMIN_USER_IDS, may add and remove other commanders.
   */
  const staff = b.table(
    'staff',
    {
      id: b.text('id').primaryKey(),
      name: b.text('name').notNull(),
      teamId: b.text('team_id'),
      commander: b.int('commander').notNull().default(0),
      /** The communes a commander oversees (JSON ids); empty: all. */
      communes: b.text('communes').notNull().default('[]'),
      root: b.int('root').notNull().default(0),
      active: b.int('active').notNull().default(1),
      createdAt: b.time('created_at').notNull(),
      removedAt: b.time('removed_at'),
    },
    (t) => [b.index('staff_team_idx').on(t.teamId)],
  );

  /** One person, several channels: each (channel, user id) belongs to one staff member. */
  const identities = b.table(
    'identities',
    {
      staffId: b.text('staff_id').notNull(),
      channel: b.text('channel').notNull(),
      userId: b.text('user_id').notNull(),
      createdAt: b.time('created_at').notNull(),
    },
    (t) => [b.uniqueIndex('identities_pk').on(t.channel, t.userId), b.index('identities_staff_idx').on(t.staffId)],
  );

  /**
   * Follow-up jobs that could not be queued (Redis down, or no Redis at all): the database keeps
   * them and the reconciler queues them once Redis answers. The id is the job's own, so a row
   * queued twice is one job.
   */
  const outbox = b.table(
    'outbox',
    {
      id: b.text('id').primaryKey(),
      queue: b.text('queue').notNull(),
      name: b.text('name').notNull(),
      data: b.text('data').notNull(),
      opts: b.text('opts').notNull(),
      createdAt: b.time('created_at').notNull(),
    },
    (t) => [b.index('outbox_created_idx').on(t.createdAt)],
  );

  /** One-time codes: link a group to a team, or register an officer. */
  const invites = b.table('invites', {
    code: b.text('code').primaryKey(),
    kind: b.text('kind').notNull(),
    teamId: b.text('team_id').notNull(),
    createdBy: b.text('created_by').notNull(),
    createdAt: b.time('created_at').notNull(),
    expiresAt: b.time('expires_at').notNull(),
    usedAt: b.time('used_at'),
    usedBy: b.text('used_by'),
  });

  /**
   * The card of a request in its team's group, one per assignment round (a handed-back request
   * gets a new card in the next team's group; the old one stays, marked handed back).
   */
  const cards = b.table('cards', {
    id: b.text('id').primaryKey(),
    requestId: b.text('request_id').notNull(),
    teamId: b.text('team_id').notNull(),
    channel: b.text('channel').notNull().default('telegram'),
    chatId: b.text('chat_id').notNull(),
    /** Platforms' message ids are not all numbers (Zalo's are not): kept as text. */
    messageId: b.text('message_id'),
    round: b.int('round').notNull(),
    claimedBy: b.text('claimed_by'),
    claimedName: b.text('claimed_name'),
    attempts: b.int('attempts').notNull().default(0),
    /** What the buttons show: actions, or the outcome / hand-back reason choices. */
    mode: b.text('mode').notNull().default('actions'),
    flagged: b.int('flagged').notNull().default(0),
    updatedAt: b.time('updated_at').notNull(),
  }, (t) => [b.index('cards_request_idx').on(t.requestId)]);

  /**
   * Requests a team holds on a day (assigned, claimed or done). Kept by triggers on `requests`
   * (migration 0005), so every path that moves a request is counted, and the trigger refuses an
   * assignment past the team's capacity: exact with any number of workers, and read in O(teams).
   */
  const teamDayLoads = b.table('team_day_loads', {
    teamId: b.text('team_id').notNull(),
    day: b.text('day').notNull(),
    n: b.int('n').notNull().default(0),
  }, (t) => [b.uniqueIndex('team_day_loads_pk').on(t.teamId, t.day)]);

  /** Chats that blocked the bot (403): not retried until they write again. */
  const unreachableChats = b.table('unreachable_chats', {
    key: b.text('key').primaryKey(),
    at: b.time('at').notNull(),
  });

  /**
   * A question (or an emergency report) forwarded to the duty officers' chat. An officer's reply
   * to that message goes back to the person through the channel they wrote on. The question is
   * personal data: erased with the person's data and after the retention period.
   */
  const handoffs = b.table('handoffs', {
    id: b.text('id').primaryKey(),
    code: b.text('code').notNull().unique(),
    kind: b.text('kind').notNull(),
    channel: b.text('channel').notNull(),
    chatId: b.text('chat_id'),
    question: b.text('question'),
    dutyChannel: b.text('duty_channel'),
    dutyChatId: b.text('duty_chat_id'),
    dutyMessageId: b.text('duty_message_id'),
    answers: b.int('answers').notNull().default(0),
    createdAt: b.time('created_at').notNull(),
    answeredAt: b.time('answered_at'),
    /** An emergency: the numbers the person was told to call (JSON, e.g. ["114","115"]). */
    calls: b.text('calls'),
    /** More alarms from the same chat within minutes, merged into this one instead of posted again. */
    repeats: b.int('repeats').notNull().default(0),
    /** A follow-up in the thread of an earlier question (its id): the same officers, the same code shown. */
    threadOf: b.text('thread_of'),
    /** Where the person is, if they shared it (JSON {lat, lon}): personal data, erased with the rest. */
    location: b.text('location'),
    /** Marked handled in the duty inbox (answered elsewhere, by phone, or nothing to answer). */
    handledAt: b.time('handled_at'),
    /**
     * The update (chat and platform delivery id) that reported it, and the last one merged into
     * it as a repeat: the same update handled again (a lost state save, a redelivery) finds
     * them done. They name the chat: erased with it.
     */
    source: b.text('source'),
    repeatSource: b.text('repeat_source'),
  }, (t) => [
    b.index('handoffs_duty_msg_idx').on(t.dutyChatId, t.dutyMessageId),
    b.index('handoffs_chat_idx').on(t.channel, t.chatId),
    b.uniqueIndex('handoffs_source_idx').on(t.source),
  ]);

  /**
   * A "Ngày thứ 7 vì dân" session. Moving one changes its date, time or place and keeps the old
   * values in `previous` (JSON) for the notice; cancelling keeps the row.
   */
  const sessions = b.table('sessions', {
    id: b.text('id').primaryKey(),
    communeId: b.text('commune_id').notNull(),
    placeName: b.text('place_name').notNull(),
    address: b.text('address').notNull(),
    mapUrl: b.text('map_url'),
    date: b.text('date').notNull(),
    startTime: b.text('start_time').notNull(),
    endTime: b.text('end_time').notNull(),
    services: b.text('services').notNull(),
    homeCapacity: b.int('home_capacity').notNull().default(0),
    rideCapacity: b.int('ride_capacity').notNull().default(0),
    notes: b.text('notes'),
    status: b.text('status').notNull(),
    previous: b.text('previous'),
    /** Bumped on every change people are told about: the notice's id. */
    version: b.int('version').notNull().default(0),
    createdBy: b.text('created_by').notNull(),
    createdAt: b.time('created_at').notNull(),
    updatedAt: b.time('updated_at').notNull(),
  }, (t) => [b.index('sessions_date_idx').on(t.date, t.communeId)]);

  /** A chat that wants a commune's announcements. */
  const subscriptions = b.table('subscriptions', {
    channel: b.text('channel').notNull(),
    chatId: b.text('chat_id').notNull(),
    communeId: b.text('commune_id').notNull(),
    createdAt: b.time('created_at').notNull(),
  }, (t) => [b.uniqueIndex('subscriptions_pk').on(t.channel, t.chatId, t.communeId), b.index('subscriptions_commune_idx').on(t.communeId)]);

  /**
   * An announcement (an admin's, or the bot's own: a reminder, a moved or cancelled session) and
   * what became of it. The recipients are fixed when it is confirmed, so a restart resumes the
   * same list.
   */
  const broadcasts = b.table('broadcasts', {
    id: b.text('id').primaryKey(),
    kind: b.text('kind').notNull(),
    createdBy: b.text('created_by').notNull(),
    /** The admin's text, or a message key and parameters (JSON) for the bot's own notices. */
    text: b.text('text').notNull(),
    photo: b.text('photo'),
    audience: b.text('audience').notNull(),
    status: b.text('status').notNull(),
    total: b.int('total').notNull().default(0),
    sent: b.int('sent').notNull().default(0),
    failed: b.int('failed').notNull().default(0),
    blocked: b.int('blocked').notNull().default(0),
    reportChannel: b.text('report_channel'),
    reportChatId: b.text('report_chat_id'),
    reportMessageId: b.text('report_message_id'),
    createdAt: b.time('created_at').notNull(),
    startedAt: b.time('started_at'),
    finishedAt: b.time('finished_at'),
  });

  const broadcastRecipients = b.table('broadcast_recipients', {
    broadcastId: b.text('broadcast_id').notNull(),
    seq: b.int('seq').notNull(),
    channel: b.text('channel').notNull(),
    chatId: b.text('chat_id').notNull(),
    /** pending · sent · failed · blocked */
    status: b.text('status').notNull().default('pending'),
    /** The platform's id of the message sent: its "received" and "seen" events name it. */
    messageId: b.text('message_id'),
    deliveredAt: b.time('delivered_at'),
    seenAt: b.time('seen_at'),
  }, (t) => [
    b.uniqueIndex('broadcast_recipients_pk').on(t.broadcastId, t.seq),
    b.uniqueIndex('broadcast_recipients_chat').on(t.broadcastId, t.channel, t.chatId),
    b.index('broadcast_recipients_message').on(t.channel, t.messageId),
  ]);

  /**
   * When a chat last wrote to us. Zalo OA may answer freely only within 7 days of it; after that
   * a notice needs an approved template, or the commander is told to call.
   */
  const chatContacts = b.table('chat_contacts', {
    channel: b.text('channel').notNull(),
    chatId: b.text('chat_id').notNull(),
    lastInboundAt: b.time('last_inbound_at').notNull(),
  }, (t) => [b.uniqueIndex('chat_contacts_pk').on(t.channel, t.chatId)]);

  /**
   * A platform's OAuth token pair (Zalo OA): saved before it is used, because the refresh token
   * is single use and the old access token dies when a new one is issued.
   */
  const platformTokens = b.table('platform_tokens', {
    id: b.text('id').primaryKey(),
    accessToken: b.text('access_token').notNull(),
    refreshToken: b.text('refresh_token').notNull(),
    expiresAt: b.time('expires_at').notNull(),
    refreshedAt: b.time('refreshed_at').notNull(),
    /** The last refresh failed: why (shown on the console), until one succeeds. */
    error: b.text('error'),
  });

  /**
   * One row per chat: the conversation survives restarts. The state also carries the last
   * delivery ids handled, so "seen" and "answered" are one atomic write.
   */
  const dialogStates = b.table('dialog_states', {
    key: b.text('key').primaryKey(),
    state: b.text('state').notNull(),
    updatedAt: b.time('updated_at').notNull(),
    /** Raised by every save; a save names the version it read (compare-and-set across replicas). */
    version: b.int('version').notNull().default(0),
  });

  /** Who did what to personal data, without the data itself (breach reporting within 72 h). */
  const auditLog = b.table(
    'audit_log',
    {
      id: b.text('id').primaryKey(),
      at: b.time('at').notNull(),
      actor: b.text('actor').notNull(),
      action: b.text('action').notNull(),
      subject: b.text('subject'),
    },
    (t) => [b.index('audit_at_idx').on(t.at), b.index('audit_subject_idx').on(t.subject, t.at)],
  );

  /** What the unit changes from the console without a restart (unit name and phone, hours, SLA…): JSON values. */
  const settings = b.table('settings', {
    key: b.text('key').primaryKey(),
    value: b.text('value').notNull(),
    updatedBy: b.text('updated_by').notNull(),
    updatedAt: b.time('updated_at').notNull(),
  });

  /** What a team did at a session (or on a day of home visits), recorded by its lead: the reports count these. */
  const sessionResults = b.table('session_results', {
    id: b.text('id').primaryKey(),
    sessionId: b.text('session_id'),
    teamId: b.text('team_id').notNull(),
    day: b.text('day').notNull(),
    communeId: b.text('commune_id').notNull(),
    cccdNew: b.int('cccd_new').notNull().default(0),
    cccdAtHome: b.int('cccd_at_home').notNull().default(0),
    cccdReissue: b.int('cccd_reissue').notNull().default(0),
    vneidLevel1: b.int('vneid_level1').notNull().default(0),
    vneidLevel2: b.int('vneid_level2').notNull().default(0),
    vneidDocuments: b.int('vneid_documents').notNull().default(0),
    fireClass: b.int('fire_class').notNull().default(0),
    fireAttendees: b.int('fire_attendees').notNull().default(0),
    peopleDriven: b.int('people_driven').notNull().default(0),
    recordedBy: b.text('recorded_by').notNull(),
    recordedAt: b.time('recorded_at').notNull(),
  }, (t) => [b.uniqueIndex('session_results_once').on(t.teamId, t.day, t.communeId), b.index('session_results_day').on(t.day)]);

  /** A target the province set for a period (e-ID activations 86,686 from a baseline of 35,322). */
  const targets = b.table('targets', {
    id: b.text('id').primaryKey(),
    metric: b.text('metric').notNull(),
    periodStart: b.text('period_start').notNull(),
    periodEnd: b.text('period_end').notNull(),
    target: b.int('target').notNull(),
    baseline: b.int('baseline').notNull().default(0),
    updatedBy: b.text('updated_by').notNull(),
    updatedAt: b.time('updated_at').notNull(),
  });

  /** "Did the officer come?", asked a day after a request is done: the citizen's answer, for the reports. */
  const feedback = b.table('feedback', {
    requestId: b.text('request_id').primaryKey(),
    askedAt: b.time('asked_at').notNull(),
    answer: b.text('answer'),
    comment: b.text('comment'),
    answeredAt: b.time('answered_at'),
  });

  /** A staff member's internal note on a request (personal data: erased with the request's). */
  const requestNotes = b.table(
    'request_notes',
    {
      id: b.text('id').primaryKey(),
      requestId: b.text('request_id').notNull(),
      staffId: b.text('staff_id').notNull(),
      text: b.text('text'),
      at: b.time('at').notNull(),
    },
    (t) => [b.index('request_notes_request_idx').on(t.requestId, t.at)],
  );

  /** A one-time link to the web console, sent in chat: only its hash is kept. */
  const loginLinks = b.table('login_links', {
    tokenHash: b.text('token_hash').primaryKey(),
    staffId: b.text('staff_id').notNull(),
    createdAt: b.time('created_at').notNull(),
    expiresAt: b.time('expires_at').notNull(),
    usedAt: b.time('used_at'),
  });

  /** A signed-in browser: revocable, ends when idle. Only the id's hash is kept. */
  const webSessions = b.table(
    'web_sessions',
    {
      idHash: b.text('id_hash').primaryKey(),
      staffId: b.text('staff_id').notNull(),
      csrf: b.text('csrf').notNull(),
      createdAt: b.time('created_at').notNull(),
      lastSeenAt: b.time('last_seen_at').notNull(),
      revokedAt: b.time('revoked_at'),
    },
    (t) => [b.index('web_sessions_staff_idx').on(t.staffId)],
  );

  return { areas, requests, dialogStates, auditLog, feedback, chatContacts, platformTokens, settings, sessionResults, targets, requestNotes, loginLinks, webSessions, teams, teamDayLoads, staff, identities, outbox, invites, cards, unreachableChats, handoffs, sessions, subscriptions, broadcasts, broadcastRecipients };
}

export type Tables = ReturnType<typeof defineTables>;
