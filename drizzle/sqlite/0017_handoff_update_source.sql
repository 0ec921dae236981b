ALTER TABLE `handoffs` ADD `source` text;--> statement-breakpoint
ALTER TABLE `handoffs` ADD `repeat_source` text;--> statement-breakpoint
CREATE UNIQUE INDEX `handoffs_source_idx` ON `handoffs` (`source`);