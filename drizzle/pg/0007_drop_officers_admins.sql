DROP TABLE "admins" CASCADE;--> statement-breakpoint
DROP TABLE "officers" CASCADE;