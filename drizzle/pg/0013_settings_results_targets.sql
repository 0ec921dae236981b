CREATE TABLE "session_results" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" text,
	"team_id" text NOT NULL,
	"day" text NOT NULL,
	"commune_id" text NOT NULL,
	"cccd_new" integer DEFAULT 0 NOT NULL,
	"cccd_at_home" integer DEFAULT 0 NOT NULL,
	"cccd_reissue" integer DEFAULT 0 NOT NULL,
	"vneid_level1" integer DEFAULT 0 NOT NULL,
	"vneid_level2" integer DEFAULT 0 NOT NULL,
	"vneid_documents" integer DEFAULT 0 NOT NULL,
	"fire_class" integer DEFAULT 0 NOT NULL,
	"fire_attendees" integer DEFAULT 0 NOT NULL,
	"people_driven" integer DEFAULT 0 NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "targets" (
	"id" text PRIMARY KEY NOT NULL,
	"metric" text NOT NULL,
	"period_start" text NOT NULL,
	"period_end" text NOT NULL,
	"target" integer NOT NULL,
	"baseline" integer DEFAULT 0 NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "outcomes" text DEFAULT '[]' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "session_results_once" ON "session_results" USING btree ("team_id","day","commune_id");--> statement-breakpoint
CREATE INDEX "session_results_day" ON "session_results" USING btree ("day");