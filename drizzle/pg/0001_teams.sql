CREATE TABLE "cards" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"team_id" text NOT NULL,
	"chat_id" text NOT NULL,
	"message_id" integer,
	"round" integer NOT NULL,
	"claimed_by" text,
	"claimed_name" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"mode" text DEFAULT 'actions' NOT NULL,
	"flagged" integer DEFAULT 0 NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invites" (
	"code" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"team_id" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"used_at" bigint,
	"used_by" text
);
--> statement-breakpoint
CREATE TABLE "officers" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"telegram_user_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "officers_telegram_user_id_unique" UNIQUE("telegram_user_id")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"chat_id" text,
	"communes" text DEFAULT '[]' NOT NULL,
	"capabilities" text DEFAULT '[]' NOT NULL,
	"capacity_per_day" integer NOT NULL,
	"active" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unreachable_chats" (
	"key" text PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "team_id" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "assigned_at" bigint;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "round" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "excluded_teams" text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "reason" text;--> statement-breakpoint
CREATE INDEX "cards_request_idx" ON "cards" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "officers_team_idx" ON "officers" USING btree ("team_id");--> statement-breakpoint
CREATE INDEX "requests_day_team_idx" ON "requests" USING btree ("preferred_date","team_id","status");