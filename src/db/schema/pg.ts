import { bigint, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { defineTables, type Builders } from './define.js';

// Same tables, PostgreSQL column builders. The cast is the one place the dialects meet: see define.ts.
export const { areas, requests, dialogStates, auditLog, feedback, chatContacts, platformTokens, settings, sessionResults, targets, requestNotes, loginLinks, webSessions, teams, teamDayLoads, staff, identities, outbox, invites, cards, unreachableChats, handoffs, sessions, subscriptions, broadcasts, broadcastRecipients } = defineTables({
  table: pgTable,
  text,
  int: (name: string) => integer(name),
  time: (name: string) => bigint(name, { mode: 'number' }),
  index,
  uniqueIndex,
} as unknown as Builders);
