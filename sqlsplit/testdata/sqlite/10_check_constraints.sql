CREATE TABLE chk (
  id integer PRIMARY KEY,
  code text NOT NULL CHECK (code NOT LIKE '%;%' AND code <> 'END;'),
  kind text CHECK (kind IN ('a;b', 'c''d', ';')),
  n int CHECK ((n > 0) AND (n < (100))),
  CONSTRAINT paren CHECK (length(code) > 0 OR code = ')(')
);
INSERT INTO chk VALUES (1, 'ok', 'a;b', 5), (2, 'fine', 'c''d', 99);
