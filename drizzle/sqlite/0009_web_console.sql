CREATE TABLE `login_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`staff_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE TABLE `request_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`staff_id` text NOT NULL,
	`text` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `request_notes_request_idx` ON `request_notes` (`request_id`,`at`);--> statement-breakpoint
CREATE TABLE `web_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`staff_id` text NOT NULL,
	`csrf` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE INDEX `web_sessions_staff_idx` ON `web_sessions` (`staff_id`);--> statement-breakpoint
ALTER TABLE `requests` ADD `visit_date` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `visit_from` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `visit_to` text;--> statement-breakpoint
CREATE INDEX `requests_updated_idx` ON `requests` (`updated_at`);--> statement-breakpoint
CREATE INDEX `requests_board_idx` ON `requests` (`status`,`priority`,`created_at`);--> statement-breakpoint
CREATE INDEX `requests_team_idx` ON `requests` (`team_id`,`status`);--> statement-breakpoint
CREATE INDEX `audit_subject_idx` ON `audit_log` (`subject`,`at`);