CREATE TABLE "areas" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"parent_id" text,
	"aliases" text DEFAULT '[]' NOT NULL,
	"active" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject" text
);
--> statement-breakpoint
CREATE TABLE "dialog_states" (
	"key" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "requests" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"channel" text NOT NULL,
	"chat_id" text NOT NULL,
	"user_id" text NOT NULL,
	"filed_for" text NOT NULL,
	"consent_at" bigint NOT NULL,
	"consent_version" text NOT NULL,
	"person_name" text,
	"birth_year" integer,
	"condition" text NOT NULL,
	"priority" integer NOT NULL,
	"commune_id" text NOT NULL,
	"address" text,
	"pickup_address" text,
	"people" integer,
	"phone" text,
	"services" text NOT NULL,
	"preferred_date" text NOT NULL,
	"notes" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"closed_at" bigint,
	"erased_at" bigint,
	CONSTRAINT "requests_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE INDEX "areas_parent_idx" ON "areas" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "audit_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "requests_owner_idx" ON "requests" USING btree ("channel","user_id");--> statement-breakpoint
CREATE INDEX "requests_status_idx" ON "requests" USING btree ("status");