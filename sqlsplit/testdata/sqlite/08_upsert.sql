CREATE TABLE kv (k text PRIMARY KEY, v text, n int DEFAULT 0);
INSERT INTO kv (k, v) VALUES ('a;', 'x; y'), ('b', ';');
INSERT INTO kv (k, v) VALUES ('a;', 'dup;')
  ON CONFLICT (k) DO UPDATE SET v = excluded.v || ';', n = n + 1 WHERE excluded.v <> kv.v;
INSERT INTO kv (k, v) VALUES ('b', 'ignored') ON CONFLICT DO NOTHING;
INSERT INTO kv (k, v) SELECT k || ';2', v FROM kv WHERE true ON CONFLICT (k) DO UPDATE SET n = -1;
INSERT OR REPLACE INTO kv (k, v) VALUES ('c', 'BEGIN; END;');
