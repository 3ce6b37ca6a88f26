-- SQL-standard bodies: BEGIN ATOMIC ... END with CASE ... END inside.
CREATE TABLE scores (id int PRIMARY KEY, points int);
CREATE FUNCTION grade(p int) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT CASE WHEN p >= 90 THEN 'A;'
              WHEN p >= 80 THEN 'B END'
              ELSE CASE WHEN p < 0 THEN 'invalid' ELSE 'C' END
         END;
END;
CREATE PROCEDURE add_score(i int, p int)
LANGUAGE sql
begin atomic
  INSERT INTO scores VALUES (i, p);
  UPDATE scores SET points = CASE WHEN points > 100 THEN 100 ELSE points END WHERE id = i;
  -- END; in a comment
  SELECT 'END;';
end;
CREATE OR REPLACE FUNCTION one() RETURNS int LANGUAGE sql RETURN 1;
CALL add_score(1, 120);
SELECT grade(points), one() FROM scores;
