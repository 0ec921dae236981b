CREATE TABLE "chat_contacts" (
	"channel" text NOT NULL,
	"chat_id" text NOT NULL,
	"last_inbound_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "platform_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"access_token" text NOT NULL,
	"refresh_token" text NOT NULL,
	"expires_at" bigint NOT NULL,
	"refreshed_at" bigint NOT NULL,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "broadcast_recipients" ADD COLUMN "message_id" text;--> statement-breakpoint
ALTER TABLE "broadcast_recipients" ADD COLUMN "delivered_at" bigint;--> statement-breakpoint
ALTER TABLE "broadcast_recipients" ADD COLUMN "seen_at" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "chat_contacts_pk" ON "chat_contacts" USING btree ("channel","chat_id");--> statement-breakpoint
CREATE INDEX "broadcast_recipients_message" ON "broadcast_recipients" USING btree ("channel","message_id");