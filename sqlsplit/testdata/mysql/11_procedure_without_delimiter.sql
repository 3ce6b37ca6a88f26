-- golang-migrate sends the whole file: no DELIMITER needed.
CREATE TABLE pw (id int, kind varchar(10));
CREATE PROCEDURE pw_fill(IN n int)
BEGIN
  DECLARE i int DEFAULT 0;
  DECLARE k varchar(10);
  WHILE i < n DO
    SET i = i + 1;
    IF i % 3 = 0 THEN
      SET k = 'fizz;';
    ELSEIF i % 5 = 0 THEN
      SET k = 'buzz';
    ELSE
      SET k = NULL;
    END IF;
    CASE
      WHEN k IS NULL THEN SET k = 'none';
      ELSE BEGIN END;
    END CASE;
    INSERT INTO pw VALUES (i, k);
  END WHILE;
  REPEAT
    SET i = i - 1;
  UNTIL i <= 0 END REPEAT;
  simple: LOOP
    LEAVE simple;
  END LOOP simple;
END;
CALL pw_fill(5);
SELECT kind, count(*) FROM pw GROUP BY kind;
