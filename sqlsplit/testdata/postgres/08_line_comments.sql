-- leading comment; with semicolon and 'quote
-- and "double quote" and $$ dollar and /* an open block comment
CREATE TABLE lc (
  id int, -- trailing; comment 'x
  v text -- another " one
);
-- between statements ;
INSERT INTO lc VALUES (1, '--not a comment'); -- after ; on the same line 'x
SELECT v FROM lc WHERE v = '--not a comment' -- comment before the ;
;
-- "--" always starts a comment in PostgreSQL, even right after a number:
SELECT 2--1;
+ 3 AS five;
