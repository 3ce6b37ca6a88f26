-- IF(), REPEAT(), and words like end_date next to the block keywords.
CREATE TABLE fr (id int, end_date date, begin_date date, s varchar(20));
CREATE PROCEDURE fr_p()
BEGIN
  DECLARE end_of_time date DEFAULT '9999-12-31';
  INSERT INTO fr VALUES (1, end_of_time, NULL, IF(1 > 0, 'yes;', 'no'));
  INSERT INTO fr VALUES (2, NULL, current_date, repeat('ab;', 2));
  UPDATE fr SET s = IF(s IS NULL, 'x', s), end_date = coalesce(end_date, begin_date);
  IF (SELECT count(*) FROM fr) = 2 THEN
    SET @ok = 'END IF;';
  END IF;
END;
CALL fr_p();
SELECT IF(@ok = 'END IF;', 1, 0), repeat('-', 3), s FROM fr;
