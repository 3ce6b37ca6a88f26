CREATE TABLE docs (id int, body text CHECK (json_valid(body)));
INSERT INTO docs VALUES (1, '{"a": {"b": ["x;", "y"]}, "k": "v;"}');
SELECT body -> '$.a', body ->> '$.k', json_extract(body, '$.a.b[0]'), 7 % 3, 1 << 2, 5 || ';' FROM docs;
SELECT key, value FROM docs, json_each(docs.body, '$.a.b');
