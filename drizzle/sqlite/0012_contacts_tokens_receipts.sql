CREATE TABLE `chat_contacts` (
	`channel` text NOT NULL,
	`chat_id` text NOT NULL,
	`last_inbound_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_contacts_pk` ON `chat_contacts` (`channel`,`chat_id`);--> statement-breakpoint
CREATE TABLE `platform_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`access_token` text NOT NULL,
	`refresh_token` text NOT NULL,
	`expires_at` integer NOT NULL,
	`refreshed_at` integer NOT NULL,
	`error` text
);
--> statement-breakpoint
ALTER TABLE `broadcast_recipients` ADD `message_id` text;--> statement-breakpoint
ALTER TABLE `broadcast_recipients` ADD `delivered_at` integer;--> statement-breakpoint
ALTER TABLE `broadcast_recipients` ADD `seen_at` integer;--> statement-breakpoint
CREATE INDEX `broadcast_recipients_message` ON `broadcast_recipients` (`channel`,`message_id`);