CREATE TABLE tc2 (id int);
SELECT id FROM tc2 -- it's the end; no newline