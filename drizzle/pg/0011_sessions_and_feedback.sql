CREATE TABLE "feedback" (
	"request_id" text PRIMARY KEY NOT NULL,
	"asked_at" bigint NOT NULL,
	"answer" text,
	"comment" text,
	"answered_at" bigint
);
--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "session_id" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "waitlisted" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "requests_session_idx" ON "requests" USING btree ("session_id","type","status");--> statement-breakpoint
CREATE INDEX "requests_phone_idx" ON "requests" USING btree ("phone");