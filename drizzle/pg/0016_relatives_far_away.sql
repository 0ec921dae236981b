ALTER TABLE "requests" ADD COLUMN "relative_phone" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "relative_country" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "time_zone" text;