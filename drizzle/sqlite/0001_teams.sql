CREATE TABLE `cards` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`team_id` text NOT NULL,
	`chat_id` text NOT NULL,
	`message_id` integer,
	`round` integer NOT NULL,
	`claimed_by` text,
	`claimed_name` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`mode` text DEFAULT 'actions' NOT NULL,
	`flagged` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cards_request_idx` ON `cards` (`request_id`);--> statement-breakpoint
CREATE TABLE `invites` (
	`code` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`team_id` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`used_by` text
);
--> statement-breakpoint
CREATE TABLE `officers` (
	`id` text PRIMARY KEY NOT NULL,
	`team_id` text NOT NULL,
	`telegram_user_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `officers_telegram_user_id_unique` ON `officers` (`telegram_user_id`);--> statement-breakpoint
CREATE INDEX `officers_team_idx` ON `officers` (`team_id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`chat_id` text,
	`communes` text DEFAULT '[]' NOT NULL,
	`capabilities` text DEFAULT '[]' NOT NULL,
	`capacity_per_day` integer NOT NULL,
	`active` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `unreachable_chats` (
	`key` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `requests` ADD `team_id` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `assigned_at` integer;--> statement-breakpoint
ALTER TABLE `requests` ADD `round` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `requests` ADD `excluded_teams` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `requests` ADD `outcome` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `reason` text;--> statement-breakpoint
CREATE INDEX `requests_day_team_idx` ON `requests` (`preferred_date`,`team_id`,`status`);