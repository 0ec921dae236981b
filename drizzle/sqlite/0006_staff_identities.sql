CREATE TABLE `identities` (
	`staff_id` text NOT NULL,
	`channel` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `identities_pk` ON `identities` (`channel`,`user_id`);--> statement-breakpoint
CREATE INDEX `identities_staff_idx` ON `identities` (`staff_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`queue` text NOT NULL,
	`name` text NOT NULL,
	`data` text NOT NULL,
	`opts` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbox_created_idx` ON `outbox` (`created_at`);--> statement-breakpoint
CREATE TABLE `staff` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`team_id` text,
	`commander` integer DEFAULT 0 NOT NULL,
	`communes` text DEFAULT '[]' NOT NULL,
	`root` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`removed_at` integer
);
--> statement-breakpoint
CREATE INDEX `staff_team_idx` ON `staff` (`team_id`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_broadcasts` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`created_by` text NOT NULL,
	`text` text NOT NULL,
	`photo` text,
	`audience` text NOT NULL,
	`status` text NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`blocked` integer DEFAULT 0 NOT NULL,
	`report_channel` text,
	`report_chat_id` text,
	`report_message_id` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
INSERT INTO `__new_broadcasts`("id", "kind", "created_by", "text", "photo", "audience", "status", "total", "sent", "failed", "blocked", "report_channel", "report_chat_id", "report_message_id", "created_at", "started_at", "finished_at") SELECT "id", "kind", "created_by", "text", "photo", "audience", "status", "total", "sent", "failed", "blocked", "report_channel", "report_chat_id", CAST("report_message_id" AS TEXT), "created_at", "started_at", "finished_at" FROM `broadcasts`;--> statement-breakpoint
DROP TABLE `broadcasts`;--> statement-breakpoint
ALTER TABLE `__new_broadcasts` RENAME TO `broadcasts`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE TABLE `__new_cards` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`team_id` text NOT NULL,
	`channel` text DEFAULT 'telegram' NOT NULL,
	`chat_id` text NOT NULL,
	`message_id` text,
	`round` integer NOT NULL,
	`claimed_by` text,
	`claimed_name` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`mode` text DEFAULT 'actions' NOT NULL,
	`flagged` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_cards`("id", "request_id", "team_id", "channel", "chat_id", "message_id", "round", "claimed_by", "claimed_name", "attempts", "mode", "flagged", "updated_at") SELECT "id", "request_id", "team_id", CASE WHEN "chat_id" LIKE 'console:%' THEN 'console' ELSE 'telegram' END, CASE WHEN "chat_id" LIKE 'console:%' THEN substr("chat_id", 9) ELSE "chat_id" END, CAST("message_id" AS TEXT), "round", "claimed_by", "claimed_name", "attempts", "mode", "flagged", "updated_at" FROM `cards`;--> statement-breakpoint
DROP TABLE `cards`;--> statement-breakpoint
ALTER TABLE `__new_cards` RENAME TO `cards`;--> statement-breakpoint
CREATE INDEX `cards_request_idx` ON `cards` (`request_id`);--> statement-breakpoint
CREATE TABLE `__new_handoffs` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`kind` text NOT NULL,
	`channel` text NOT NULL,
	`chat_id` text,
	`question` text,
	`duty_channel` text,
	`duty_chat_id` text,
	`duty_message_id` text,
	`answers` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`answered_at` integer
);
--> statement-breakpoint
INSERT INTO `__new_handoffs`("id", "code", "kind", "channel", "chat_id", "question", "duty_channel", "duty_chat_id", "duty_message_id", "answers", "created_at", "answered_at") SELECT "id", "code", "kind", "channel", "chat_id", "question", CASE WHEN "duty_chat_id" IS NULL THEN NULL WHEN "duty_chat_id" LIKE 'console:%' THEN 'console' ELSE 'telegram' END, CASE WHEN "duty_chat_id" LIKE 'console:%' THEN substr("duty_chat_id", 9) ELSE "duty_chat_id" END, CAST("duty_message_id" AS TEXT), "answers", "created_at", "answered_at" FROM `handoffs`;--> statement-breakpoint
DROP TABLE `handoffs`;--> statement-breakpoint
ALTER TABLE `__new_handoffs` RENAME TO `handoffs`;--> statement-breakpoint
CREATE UNIQUE INDEX `handoffs_code_unique` ON `handoffs` (`code`);--> statement-breakpoint
CREATE INDEX `handoffs_duty_msg_idx` ON `handoffs` (`duty_chat_id`,`duty_message_id`);--> statement-breakpoint
CREATE INDEX `handoffs_chat_idx` ON `handoffs` (`channel`,`chat_id`);--> statement-breakpoint
ALTER TABLE `teams` ADD `work_channel` text;--> statement-breakpoint
-- Hand-written below (drizzle-kit copies columns, not meaning). drizzle-kit's rebuilds above
-- selected the new columns from the old tables; they are derived there instead. A chat id
-- used to carry its channel only for the console ("console:team"): now the channel is a column.
UPDATE `teams` SET `work_channel` = CASE WHEN `chat_id` LIKE 'console:%' THEN 'console' ELSE 'telegram' END,
  `chat_id` = CASE WHEN `chat_id` LIKE 'console:%' THEN substr(`chat_id`, 9) ELSE `chat_id` END
WHERE `chat_id` IS NOT NULL;
--> statement-breakpoint
-- Officers and chat-added admins become staff with identities: one person, several channels.
INSERT INTO `staff` (`id`, `name`, `team_id`, `commander`, `communes`, `root`, `active`, `created_at`)
SELECT `id`, `name`, `team_id`, 0, '[]', 0, 1, `created_at` FROM `officers`;
--> statement-breakpoint
INSERT OR IGNORE INTO `identities` (`staff_id`, `channel`, `user_id`, `created_at`)
SELECT `id`, CASE WHEN `telegram_user_id` LIKE 'console-%' THEN 'console' ELSE 'telegram' END, `telegram_user_id`, `created_at` FROM `officers`;
--> statement-breakpoint
INSERT OR IGNORE INTO `identities` (`staff_id`, `channel`, `user_id`, `created_at`)
SELECT `id`, 'zalo', `zalo_user_id`, `created_at` FROM `officers` WHERE `zalo_user_id` IS NOT NULL;
--> statement-breakpoint
UPDATE `staff` SET `commander` = 1 WHERE `id` IN (
  SELECT i.`staff_id` FROM `identities` i JOIN `admins` a ON i.`channel` = 'telegram' AND i.`user_id` = a.`user_id`);
--> statement-breakpoint
INSERT INTO `staff` (`id`, `name`, `team_id`, `commander`, `communes`, `root`, `active`, `created_at`)
SELECT 'adm-' || a.`user_id`, a.`user_id`, NULL, 1, '[]', 0, 1, a.`added_at` FROM `admins` a
WHERE NOT EXISTS (SELECT 1 FROM `identities` i WHERE i.`channel` = 'telegram' AND i.`user_id` = a.`user_id`);
--> statement-breakpoint
INSERT OR IGNORE INTO `identities` (`staff_id`, `channel`, `user_id`, `created_at`)
SELECT 'adm-' || a.`user_id`, 'telegram', a.`user_id`, a.`added_at` FROM `admins` a;
