import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { defineTables } from './define.js';

export const { areas, requests, dialogStates, auditLog, feedback, chatContacts, platformTokens, settings, sessionResults, targets, requestNotes, loginLinks, webSessions, teams, teamDayLoads, staff, identities, outbox, invites, cards, unreachableChats, handoffs, sessions, subscriptions, broadcasts, broadcastRecipients } = defineTables({
  table: sqliteTable,
  text,
  int: (name) => integer(name),
  time: (name) => integer(name),
  index,
  uniqueIndex,
});
