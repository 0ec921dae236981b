CREATE TABLE `feedback` (
	`request_id` text PRIMARY KEY NOT NULL,
	`asked_at` integer NOT NULL,
	`answer` text,
	`comment` text,
	`answered_at` integer
);
--> statement-breakpoint
ALTER TABLE `requests` ADD `session_id` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `waitlisted` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `requests_session_idx` ON `requests` (`session_id`,`type`,`status`);--> statement-breakpoint
CREATE INDEX `requests_phone_idx` ON `requests` (`phone`);