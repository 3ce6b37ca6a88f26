CREATE TABLE st (id integer PRIMARY KEY, name text NOT NULL, data any) STRICT;
CREATE TABLE wr (k text PRIMARY KEY, v blob) WITHOUT ROWID;
CREATE TABLE both_ (k int PRIMARY KEY, v text) STRICT, WITHOUT ROWID;
INSERT INTO st VALUES (1, 'a;', x'00ff'), (2, 'b', 1.5);
INSERT INTO wr VALUES ('k;', X'3B');
