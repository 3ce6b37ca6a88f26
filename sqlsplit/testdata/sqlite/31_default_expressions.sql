CREATE TABLE de (
  id integer PRIMARY KEY AUTOINCREMENT,
  created text DEFAULT (datetime('now')),
  n int DEFAULT (1 + (2 * (3))),
  s text DEFAULT ('(' || ';' || ')'),
  neg int DEFAULT -1,
  b blob DEFAULT x'3b'
);
INSERT INTO de DEFAULT VALUES;
SELECT ((n)), (s) FROM de WHERE (id, n) = (1, 7);
