-- A "-- " comment needs white space after the dashes; it's here.
CREATE TABLE dc (id int, v int);
--	a tab counts too; 'x
INSERT INTO dc VALUES (1, 5--1);
INSERT INTO dc VALUES (2, 5 --1
);
--
SELECT 5--1 AS six, 5 -- -1 is a comment here; 'x
- 1 AS four;
SELECT id FROM dc WHERE v---1=7;
SELECT 1 AS last--
