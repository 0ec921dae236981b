DROP TABLE `admins`;--> statement-breakpoint
DROP TABLE `officers`;