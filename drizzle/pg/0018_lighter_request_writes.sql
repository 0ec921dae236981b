DROP INDEX "requests_status_idx";--> statement-breakpoint
-- Hand-written below (drizzle-kit does not model triggers): the load trigger of 0005 ran its
-- PL/pgSQL for every request written, even a new one or one whose team and day stayed; now it
-- fires only when a request enters or leaves a team's day (as SQLite's triggers do, by WHEN),
-- and counts with one upsert instead of an insert and an update.
DROP TRIGGER "requests_load" ON "requests";
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "requests_count_load"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_counted boolean := TG_OP <> 'INSERT' AND OLD."status" IN ('assigned', 'claimed', 'done') AND OLD."team_id" IS NOT NULL;
  new_counted boolean := TG_OP <> 'DELETE' AND NEW."status" IN ('assigned', 'claimed', 'done') AND NEW."team_id" IS NOT NULL;
  same_place boolean := TG_OP = 'UPDATE' AND OLD."team_id" IS NOT DISTINCT FROM NEW."team_id" AND OLD."preferred_date" = NEW."preferred_date";
  load integer;
BEGIN
  IF old_counted AND NOT (new_counted AND same_place) THEN
    UPDATE "team_day_loads" SET "n" = "n" - 1 WHERE "team_id" = OLD."team_id" AND "day" = OLD."preferred_date";
  END IF;
  IF new_counted AND NOT (old_counted AND same_place) THEN
    -- The counter row's lock orders concurrent assignments to one team and day: the check is exact.
    INSERT INTO "team_day_loads" AS l ("team_id", "day", "n") VALUES (NEW."team_id", NEW."preferred_date", 1)
    ON CONFLICT ("team_id", "day") DO UPDATE SET "n" = l."n" + 1
    RETURNING l."n" INTO load;
    IF TG_OP = 'UPDATE' AND load > (SELECT "capacity_per_day" FROM "teams" WHERE "id" = NEW."team_id") THEN
      RAISE EXCEPTION 'team_full';
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "requests_load_insert" AFTER INSERT ON "requests" FOR EACH ROW
WHEN (NEW."status" IN ('assigned', 'claimed', 'done') AND NEW."team_id" IS NOT NULL)
EXECUTE FUNCTION "requests_count_load"();
--> statement-breakpoint
CREATE TRIGGER "requests_load_update" AFTER UPDATE OF "status", "team_id", "preferred_date" ON "requests" FOR EACH ROW
WHEN ((OLD."status" IN ('assigned', 'claimed', 'done') AND OLD."team_id" IS NOT NULL) OR (NEW."status" IN ('assigned', 'claimed', 'done') AND NEW."team_id" IS NOT NULL))
EXECUTE FUNCTION "requests_count_load"();
--> statement-breakpoint
CREATE TRIGGER "requests_load_delete" AFTER DELETE ON "requests" FOR EACH ROW
WHEN (OLD."status" IN ('assigned', 'claimed', 'done') AND OLD."team_id" IS NOT NULL)
EXECUTE FUNCTION "requests_count_load"();
