ALTER TABLE `requests` ADD `relative_phone` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `relative_country` text;--> statement-breakpoint
ALTER TABLE `requests` ADD `time_zone` text;