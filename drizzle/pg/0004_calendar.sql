CREATE TABLE "admins" (
	"user_id" text PRIMARY KEY NOT NULL,
	"added_by" text NOT NULL,
	"added_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "broadcast_recipients" (
	"broadcast_id" text NOT NULL,
	"seq" integer NOT NULL,
	"channel" text NOT NULL,
	"chat_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "broadcasts" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"created_by" text NOT NULL,
	"text" text NOT NULL,
	"photo" text,
	"audience" text NOT NULL,
	"status" text NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"blocked" integer DEFAULT 0 NOT NULL,
	"report_channel" text,
	"report_chat_id" text,
	"report_message_id" integer,
	"created_at" bigint NOT NULL,
	"started_at" bigint,
	"finished_at" bigint
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"commune_id" text NOT NULL,
	"place_name" text NOT NULL,
	"address" text NOT NULL,
	"map_url" text,
	"date" text NOT NULL,
	"start_time" text NOT NULL,
	"end_time" text NOT NULL,
	"services" text NOT NULL,
	"home_capacity" integer DEFAULT 0 NOT NULL,
	"ride_capacity" integer DEFAULT 0 NOT NULL,
	"notes" text,
	"status" text NOT NULL,
	"previous" text,
	"version" integer DEFAULT 0 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"channel" text NOT NULL,
	"chat_id" text NOT NULL,
	"commune_id" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "broadcast_recipients_pk" ON "broadcast_recipients" USING btree ("broadcast_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "broadcast_recipients_chat" ON "broadcast_recipients" USING btree ("broadcast_id","channel","chat_id");--> statement-breakpoint
CREATE INDEX "sessions_date_idx" ON "sessions" USING btree ("date","commune_id");--> statement-breakpoint
CREATE UNIQUE INDEX "subscriptions_pk" ON "subscriptions" USING btree ("channel","chat_id","commune_id");--> statement-breakpoint
CREATE INDEX "subscriptions_commune_idx" ON "subscriptions" USING btree ("commune_id");