CREATE TABLE `team_day_loads` (
	`team_id` text NOT NULL,
	`day` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `team_day_loads_pk` ON `team_day_loads` (`team_id`,`day`);--> statement-breakpoint
-- Hand-written below: drizzle-kit does not model triggers. A request counts for its team's day
-- while assigned, claimed or done; entering that state past the team's capacity is refused.
INSERT INTO `team_day_loads` (`team_id`, `day`, `n`)
SELECT `team_id`, `preferred_date`, count(*) FROM `requests`
WHERE `status` IN ('assigned', 'claimed', 'done') AND `team_id` IS NOT NULL
GROUP BY `team_id`, `preferred_date`;
--> statement-breakpoint
CREATE TRIGGER `requests_load_insert` AFTER INSERT ON `requests`
WHEN NEW.`status` IN ('assigned', 'claimed', 'done') AND NEW.`team_id` IS NOT NULL
BEGIN
  INSERT OR IGNORE INTO `team_day_loads` (`team_id`, `day`, `n`) VALUES (NEW.`team_id`, NEW.`preferred_date`, 0);
  UPDATE `team_day_loads` SET `n` = `n` + 1 WHERE `team_id` = NEW.`team_id` AND `day` = NEW.`preferred_date`;
END;
--> statement-breakpoint
CREATE TRIGGER `requests_load_leave` AFTER UPDATE OF `status`, `team_id`, `preferred_date` ON `requests`
WHEN OLD.`status` IN ('assigned', 'claimed', 'done') AND OLD.`team_id` IS NOT NULL
  AND NOT (NEW.`status` IN ('assigned', 'claimed', 'done') AND NEW.`team_id` IS OLD.`team_id` AND NEW.`preferred_date` = OLD.`preferred_date`)
BEGIN
  UPDATE `team_day_loads` SET `n` = `n` - 1 WHERE `team_id` = OLD.`team_id` AND `day` = OLD.`preferred_date`;
END;
--> statement-breakpoint
CREATE TRIGGER `requests_load_enter` AFTER UPDATE OF `status`, `team_id`, `preferred_date` ON `requests`
WHEN NEW.`status` IN ('assigned', 'claimed', 'done') AND NEW.`team_id` IS NOT NULL
  AND NOT (OLD.`status` IN ('assigned', 'claimed', 'done') AND OLD.`team_id` IS NEW.`team_id` AND OLD.`preferred_date` = NEW.`preferred_date`)
BEGIN
  INSERT OR IGNORE INTO `team_day_loads` (`team_id`, `day`, `n`) VALUES (NEW.`team_id`, NEW.`preferred_date`, 0);
  UPDATE `team_day_loads` SET `n` = `n` + 1 WHERE `team_id` = NEW.`team_id` AND `day` = NEW.`preferred_date`;
  SELECT RAISE(ABORT, 'team_full')
  WHERE (SELECT `n` FROM `team_day_loads` WHERE `team_id` = NEW.`team_id` AND `day` = NEW.`preferred_date`)
      > (SELECT `capacity_per_day` FROM `teams` WHERE `id` = NEW.`team_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `requests_load_delete` AFTER DELETE ON `requests`
WHEN OLD.`status` IN ('assigned', 'claimed', 'done') AND OLD.`team_id` IS NOT NULL
BEGIN
  UPDATE `team_day_loads` SET `n` = `n` - 1 WHERE `team_id` = OLD.`team_id` AND `day` = OLD.`preferred_date`;
END;
