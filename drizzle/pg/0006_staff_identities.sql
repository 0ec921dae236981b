CREATE TABLE "identities" (
	"staff_id" text NOT NULL,
	"channel" text NOT NULL,
	"user_id" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"queue" text NOT NULL,
	"name" text NOT NULL,
	"data" text NOT NULL,
	"opts" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"team_id" text,
	"commander" integer DEFAULT 0 NOT NULL,
	"communes" text DEFAULT '[]' NOT NULL,
	"root" integer DEFAULT 0 NOT NULL,
	"active" integer DEFAULT 1 NOT NULL,
	"created_at" bigint NOT NULL,
	"removed_at" bigint
);
--> statement-breakpoint
ALTER TABLE "broadcasts" ALTER COLUMN "report_message_id" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "cards" ALTER COLUMN "message_id" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "handoffs" ALTER COLUMN "duty_message_id" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "cards" ADD COLUMN "channel" text DEFAULT 'telegram' NOT NULL;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "duty_channel" text;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "work_channel" text;--> statement-breakpoint
CREATE UNIQUE INDEX "identities_pk" ON "identities" USING btree ("channel","user_id");--> statement-breakpoint
CREATE INDEX "identities_staff_idx" ON "identities" USING btree ("staff_id");--> statement-breakpoint
CREATE INDEX "outbox_created_idx" ON "outbox" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "staff_team_idx" ON "staff" USING btree ("team_id");--> statement-breakpoint
-- Hand-written below (drizzle-kit copies columns, not meaning). A chat id used to carry its
-- channel only for the console ("console:team"): now the channel is a column.
UPDATE "teams" SET "work_channel" = CASE WHEN "chat_id" LIKE 'console:%' THEN 'console' ELSE 'telegram' END,
  "chat_id" = CASE WHEN "chat_id" LIKE 'console:%' THEN substr("chat_id", 9) ELSE "chat_id" END
WHERE "chat_id" IS NOT NULL;
--> statement-breakpoint
UPDATE "cards" SET "channel" = 'console', "chat_id" = substr("chat_id", 9) WHERE "chat_id" LIKE 'console:%';
--> statement-breakpoint
UPDATE "handoffs" SET "duty_channel" = CASE WHEN "duty_chat_id" LIKE 'console:%' THEN 'console' ELSE 'telegram' END,
  "duty_chat_id" = CASE WHEN "duty_chat_id" LIKE 'console:%' THEN substr("duty_chat_id", 9) ELSE "duty_chat_id" END
WHERE "duty_chat_id" IS NOT NULL;
--> statement-breakpoint
-- Officers and chat-added admins become staff with identities: one person, several channels.
INSERT INTO "staff" ("id", "name", "team_id", "commander", "communes", "root", "active", "created_at")
SELECT "id", "name", "team_id", 0, '[]', 0, 1, "created_at" FROM "officers";
--> statement-breakpoint
INSERT INTO "identities" ("staff_id", "channel", "user_id", "created_at")
SELECT "id", CASE WHEN "telegram_user_id" LIKE 'console-%' THEN 'console' ELSE 'telegram' END, "telegram_user_id", "created_at" FROM "officers"
ON CONFLICT DO NOTHING;
--> statement-breakpoint
INSERT INTO "identities" ("staff_id", "channel", "user_id", "created_at")
SELECT "id", 'zalo', "zalo_user_id", "created_at" FROM "officers" WHERE "zalo_user_id" IS NOT NULL
ON CONFLICT DO NOTHING;
--> statement-breakpoint
UPDATE "staff" SET "commander" = 1 WHERE "id" IN (
  SELECT i."staff_id" FROM "identities" i JOIN "admins" a ON i."channel" = 'telegram' AND i."user_id" = a."user_id");
--> statement-breakpoint
INSERT INTO "staff" ("id", "name", "team_id", "commander", "communes", "root", "active", "created_at")
SELECT 'adm-' || a."user_id", a."user_id", NULL, 1, '[]', 0, 1, a."added_at" FROM "admins" a
WHERE NOT EXISTS (SELECT 1 FROM "identities" i WHERE i."channel" = 'telegram' AND i."user_id" = a."user_id");
--> statement-breakpoint
INSERT INTO "identities" ("staff_id", "channel", "user_id", "created_at")
SELECT 'adm-' || a."user_id", 'telegram', a."user_id", a."added_at" FROM "admins" a
ON CONFLICT DO NOTHING;
