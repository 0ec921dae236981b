CREATE TABLE "login_links" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"staff_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"used_at" bigint
);
--> statement-breakpoint
CREATE TABLE "request_notes" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"staff_id" text NOT NULL,
	"text" text,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "web_sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"staff_id" text NOT NULL,
	"csrf" text NOT NULL,
	"created_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"revoked_at" bigint
);
--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "visit_date" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "visit_from" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "visit_to" text;--> statement-breakpoint
CREATE INDEX "request_notes_request_idx" ON "request_notes" USING btree ("request_id","at");--> statement-breakpoint
CREATE INDEX "web_sessions_staff_idx" ON "web_sessions" USING btree ("staff_id");--> statement-breakpoint
CREATE INDEX "audit_subject_idx" ON "audit_log" USING btree ("subject","at");--> statement-breakpoint
CREATE INDEX "requests_updated_idx" ON "requests" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "requests_board_idx" ON "requests" USING btree ("status","priority","created_at");--> statement-breakpoint
CREATE INDEX "requests_team_idx" ON "requests" USING btree ("team_id","status");