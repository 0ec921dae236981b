-- Hand-written (drizzle-kit does not model triggers). Assignments are now written many to one
-- statement. The row trigger of 0018 took each team's day counter lock as it met the rows, so
-- two such statements could take two teams' locks in opposite orders and deadlock. Counted
-- once per statement instead: the net change per team and day, upserted in one order (team,
-- day), so concurrent statements queue on the counters and never deadlock; and one PL/pgSQL
-- call per statement, not per row.
DROP TRIGGER "requests_load_update" ON "requests";
--> statement-breakpoint
CREATE FUNCTION "requests_count_moved_loads"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  over_capacity integer;
BEGIN
  WITH moved AS (
    SELECT "team_id", "preferred_date" AS "day", -1 AS "d" FROM "old_requests"
    WHERE "status" IN ('assigned', 'claimed', 'done') AND "team_id" IS NOT NULL
    UNION ALL
    SELECT "team_id", "preferred_date", 1 FROM "new_requests"
    WHERE "status" IN ('assigned', 'claimed', 'done') AND "team_id" IS NOT NULL
  ), net AS (
    SELECT "team_id", "day", sum("d")::integer AS "d" FROM moved GROUP BY "team_id", "day" HAVING sum("d") <> 0
  ), counted AS (
    INSERT INTO "team_day_loads" AS l ("team_id", "day", "n")
    SELECT "team_id", "day", "d" FROM net ORDER BY "team_id", "day"
    ON CONFLICT ("team_id", "day") DO UPDATE SET "n" = l."n" + excluded."n"
    RETURNING l."team_id", l."day", l."n"
  )
  SELECT count(*) INTO over_capacity
  FROM counted c
  JOIN net ON net."team_id" = c."team_id" AND net."day" = c."day"
  JOIN "teams" t ON t."id" = c."team_id"
  WHERE net."d" > 0 AND c."n" > t."capacity_per_day";
  IF over_capacity > 0 THEN
    RAISE EXCEPTION 'team_full';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "requests_load_update" AFTER UPDATE ON "requests"
REFERENCING OLD TABLE AS "old_requests" NEW TABLE AS "new_requests"
FOR EACH STATEMENT EXECUTE FUNCTION "requests_count_moved_loads"();
