CREATE TABLE gen (
  a int,
  b int,
  total int GENERATED ALWAYS AS (a + coalesce(b, 0)) STORED,
  label text AS ('a=' || a || ';') VIRTUAL,
  flag int AS (CASE WHEN a > 0 THEN 1 ELSE 0 END)
);
INSERT INTO gen (a, b) VALUES (1, 2), (-1, NULL);
SELECT total, label, flag FROM gen;
