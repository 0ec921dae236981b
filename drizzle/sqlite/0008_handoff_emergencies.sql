ALTER TABLE `handoffs` ADD `calls` text;--> statement-breakpoint
ALTER TABLE `handoffs` ADD `repeats` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `handoffs` ADD `thread_of` text;--> statement-breakpoint
ALTER TABLE `handoffs` ADD `location` text;