-- MariaDB anonymous compound statements.
CREATE TABLE bna (id int);
BEGIN NOT ATOMIC
  DECLARE i int DEFAULT 0;
  WHILE i < 3 DO
    INSERT INTO bna VALUES (i);
    SET i = i + 1;
  END WHILE;
END;
begin not atomic
  IF (SELECT count(*) FROM bna) = 3 THEN
    INSERT INTO bna VALUES (100);
  END IF;
end;
SELECT count(*) FROM bna;
