import type { index as sqliteIndex, integer as sqliteInteger, sqliteTable, text as sqliteText } from 'drizzle-orm/sqlite-core';

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
    },
    (t) => [
      b.index('requests_owner_idx').on(t.channel, t.userId),
      b.index('requests_status_idx').on(t.status),
    ],
  );

  /**
   * One row per chat: the conversation survives restarts. The state also carries the last
   * delivery ids handled, so "seen" and "answered" are one atomic write.
   */
  const dialogStates = b.table('dialog_states', {
    key: b.text('key').primaryKey(),
    state: b.text('state').notNull(),
    updatedAt: b.time('updated_at').notNull(),
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
    (t) => [b.index('audit_at_idx').on(t.at)],
  );

  return { areas, requests, dialogStates, auditLog };
}

export type Tables = ReturnType<typeof defineTables>;
