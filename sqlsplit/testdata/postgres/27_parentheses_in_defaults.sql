CREATE TABLE paren (
  id int GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5),
  a int NOT NULL DEFAULT (1 + (2 * (3))),
  b int CHECK ((b > 0) AND (b < (100))),
  c text DEFAULT ('(' || ';' || ')'),
  d timestamptz DEFAULT (now() + interval '1 day'),
  e int GENERATED ALWAYS AS ((a + coalesce(b, 0)) * 2) STORED,
  CONSTRAINT paren_c CHECK (c <> ')(;')
);
INSERT INTO paren (b) VALUES ((((1))));
SELECT ((a)), (c), e FROM paren WHERE (id, a) = (10, 7);
