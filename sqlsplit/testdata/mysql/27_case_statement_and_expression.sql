CREATE TABLE cs (id int, label varchar(20));
CREATE PROCEDURE cs_p(IN x int)
BEGIN
  DECLARE l varchar(20);
  CASE x
    WHEN 1 THEN SET l = 'one;';
    WHEN 2 THEN
      SET l = (CASE WHEN x > 1 THEN 'two' ELSE 'END' END);
    ELSE
      CASE
        WHEN x < 0 THEN SET l = 'negative';
        ELSE SET l = CASE x WHEN 3 THEN 'three' ELSE 'many' END;
      END CASE;
  END CASE;
  INSERT INTO cs VALUES (x, l);
END;
CALL cs_p(1);
CALL cs_p(2);
CALL cs_p(-1);
CALL cs_p(9);
SELECT CASE WHEN count(*) = 4 THEN 'ok' END FROM cs;
