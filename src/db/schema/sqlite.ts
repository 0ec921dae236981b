import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { defineTables } from './define.js';

export const { areas, requests, dialogStates, auditLog, teams, officers, invites, cards, unreachableChats, handoffs } = defineTables({
  table: sqliteTable,
  text,
  int: (name) => integer(name),
  time: (name) => integer(name),
  index,
});
