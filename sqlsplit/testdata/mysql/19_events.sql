CREATE TABLE ev_log (at datetime, note varchar(40));
CREATE EVENT ev_hourly ON SCHEDULE EVERY 1 HOUR DISABLE
DO BEGIN
  INSERT INTO ev_log VALUES (now(), 'tick; tock');
  DELETE FROM ev_log WHERE at < now() - INTERVAL 7 DAY;
END;
CREATE EVENT IF NOT EXISTS ev_once ON SCHEDULE AT CURRENT_TIMESTAMP + INTERVAL 1 DAY
ON COMPLETION PRESERVE DISABLE COMMENT 'runs once; later'
DO INSERT INTO ev_log VALUES (now(), 'once');
ALTER EVENT ev_once
DO BEGIN
  INSERT INTO ev_log VALUES (now(), 'changed;');
END;
ALTER EVENT ev_hourly RENAME TO ev_every_hour;
DROP EVENT ev_once;
