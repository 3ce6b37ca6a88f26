-- $1 parameters (in bodies, in PREPARE) and $ inside identifiers are not dollar quotes.
CREATE TABLE price$ (id int PRIMARY KEY, a$b$c int, "$$" text);
PREPARE ins(int, int) AS INSERT INTO price$ (id, a$b$c) VALUES ($1, $2);
EXECUTE ins(1, 10);
EXECUTE ins(2, 20);
DEALLOCATE ins;
CREATE FUNCTION total(min_id int, factor int) RETURNS bigint LANGUAGE sql AS
'SELECT sum(a$b$c * $2) FROM price$ WHERE id >= $1';
CREATE FUNCTION tagged(x int) RETURNS int LANGUAGE plpgsql AS $fn$
BEGIN
  RETURN x*$1+$1;
END
$fn$;
SELECT total(1, 2), tagged(3), a$b$c$1 FROM price$, (SELECT 1 AS a$b$c$1) s;
