ALTER TABLE "handoffs" ADD COLUMN "source" text;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "repeat_source" text;--> statement-breakpoint
CREATE UNIQUE INDEX "handoffs_source_idx" ON "handoffs" USING btree ("source");