CREATE TABLE kv (k varchar(20) PRIMARY KEY, v varchar(40), n int DEFAULT 0);
INSERT INTO kv (k, v) VALUES ('a;', 'x; y'), ('b', ';'), ('c', "\;");
INSERT INTO kv (k, v) VALUES ('a;', 'dup') ON DUPLICATE KEY UPDATE v = concat(VALUES(v), ';'), n = n + 1;
REPLACE INTO kv (k, v) VALUES ('d', 'BEGIN; END;');
UPDATE kv SET v = replace(v, ';', ',') WHERE k IN ('a;', 'c');
DELETE FROM kv WHERE v LIKE '%;%' ESCAPE '|';
SELECT group_concat(k ORDER BY k SEPARATOR '; ') FROM kv;
