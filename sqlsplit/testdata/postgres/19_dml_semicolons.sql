CREATE TABLE kv (k text PRIMARY KEY, v text, n int DEFAULT 0);
INSERT INTO kv (k, v) VALUES ('a;', 'x; y'), ('b', ';'), ('c', $$;$$);
INSERT INTO kv (k, v) VALUES ('a;', 'dup') ON CONFLICT (k) DO UPDATE SET v = excluded.v || ';', n = kv.n + 1;
WITH moved AS (
  DELETE FROM kv WHERE k = 'b' RETURNING k, v
)
INSERT INTO kv (k, v) SELECT k || ';moved', v FROM moved;
UPDATE kv SET v = replace(v, ';', ',') FROM (VALUES ('a;'), ('c')) AS t(key) WHERE kv.k = t.key;
DELETE FROM kv WHERE v LIKE '%;%' ESCAPE '\' RETURNING *;
SELECT string_agg(k, '; ' ORDER BY k) FROM kv;
