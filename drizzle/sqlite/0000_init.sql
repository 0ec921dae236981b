CREATE TABLE `areas` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`parent_id` text,
	`aliases` text DEFAULT '[]' NOT NULL,
	`active` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `areas_parent_idx` ON `areas` (`parent_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject` text
);
--> statement-breakpoint
CREATE INDEX `audit_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `dialog_states` (
	`key` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `requests` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`channel` text NOT NULL,
	`chat_id` text NOT NULL,
	`user_id` text NOT NULL,
	`filed_for` text NOT NULL,
	`consent_at` integer NOT NULL,
	`consent_version` text NOT NULL,
	`person_name` text,
	`birth_year` integer,
	`condition` text NOT NULL,
	`priority` integer NOT NULL,
	`commune_id` text NOT NULL,
	`address` text,
	`pickup_address` text,
	`people` integer,
	`phone` text,
	`services` text NOT NULL,
	`preferred_date` text NOT NULL,
	`notes` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`closed_at` integer,
	`erased_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `requests_code_unique` ON `requests` (`code`);--> statement-breakpoint
CREATE INDEX `requests_owner_idx` ON `requests` (`channel`,`user_id`);--> statement-breakpoint
CREATE INDEX `requests_status_idx` ON `requests` (`status`);