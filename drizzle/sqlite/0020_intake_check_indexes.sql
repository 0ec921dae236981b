CREATE INDEX `requests_chat_idx` ON `requests` (`chat_id`,`channel`);--> statement-breakpoint
CREATE INDEX `requests_person_idx` ON `requests` (`birth_year`,`commune_id`);