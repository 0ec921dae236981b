CREATE INDEX "requests_chat_idx" ON "requests" USING btree ("chat_id","channel");--> statement-breakpoint
CREATE INDEX "requests_person_idx" ON "requests" USING btree ("birth_year","commune_id");