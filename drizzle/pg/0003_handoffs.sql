CREATE TABLE "handoffs" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"chat_id" text,
	"question" text,
	"duty_chat_id" text,
	"duty_message_id" integer,
	"answers" integer DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"answered_at" bigint,
	CONSTRAINT "handoffs_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE INDEX "handoffs_duty_msg_idx" ON "handoffs" USING btree ("duty_chat_id","duty_message_id");--> statement-breakpoint
CREATE INDEX "handoffs_chat_idx" ON "handoffs" USING btree ("channel","chat_id");