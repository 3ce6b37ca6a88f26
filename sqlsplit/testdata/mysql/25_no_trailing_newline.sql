CREATE TABLE nt (id int);
INSERT INTO nt VALUES (1);
SELECT id FROM nt # a trailing comment; no newline