CREATE TABLE nt2 (id int);
SELECT 1;
-- it's the end; no newline