CREATE TABLE "team_day_loads" (
	"team_id" text NOT NULL,
	"day" text NOT NULL,
	"n" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "team_day_loads_pk" ON "team_day_loads" USING btree ("team_id","day");--> statement-breakpoint
-- Hand-written below: drizzle-kit does not model triggers. A request counts for its team's day
-- while assigned, claimed or done; entering that state past the team's capacity is refused. The
-- counter row's lock orders concurrent assignments to one team and day, so the check is exact.
INSERT INTO "team_day_loads" ("team_id", "day", "n")
SELECT "team_id", "preferred_date", count(*) FROM "requests"
WHERE "status" IN ('assigned', 'claimed', 'done') AND "team_id" IS NOT NULL
GROUP BY "team_id", "preferred_date";
--> statement-breakpoint
CREATE FUNCTION "requests_count_load"() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INSERT INTO "team_day_loads" ("team_id", "day", "n") VALUES (NEW."team_id", NEW."preferred_date", 0) ON CONFLICT DO NOTHING;
    UPDATE "team_day_loads" SET "n" = "n" + 1 WHERE "team_id" = NEW."team_id" AND "day" = NEW."preferred_date" RETURNING "n" INTO load;
    IF TG_OP = 'UPDATE' AND load > (SELECT "capacity_per_day" FROM "teams" WHERE "id" = NEW."team_id") THEN
      RAISE EXCEPTION 'team_full';
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "requests_load" AFTER INSERT OR DELETE OR UPDATE OF "status", "team_id", "preferred_date" ON "requests"
FOR EACH ROW EXECUTE FUNCTION "requests_count_load"();
