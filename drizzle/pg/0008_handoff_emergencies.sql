ALTER TABLE "handoffs" ADD COLUMN "calls" text;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "repeats" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "thread_of" text;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "location" text;