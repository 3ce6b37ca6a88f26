CREATE TABLE lb (n int);
CREATE PROCEDURE lb_p()
outer_block: BEGIN
  DECLARE i int DEFAULT 0;
  inner_block: BEGIN
    counting: LOOP
      SET i = i + 1;
      IF i > 10 THEN
        LEAVE counting;
      END IF;
      IF i % 2 = 0 THEN
        ITERATE counting;
      END IF;
      INSERT INTO lb VALUES (i);
    END LOOP counting;
    IF i > 100 THEN
      LEAVE outer_block;
    END IF;
  END inner_block;
  w: WHILE i > 0 DO
    SET i = i - 1;
  END WHILE w;
  r: REPEAT
    SET i = i + 1;
  UNTIL i >= 3 END REPEAT r;
END outer_block;
CALL lb_p();
SELECT sum(n) FROM lb;
