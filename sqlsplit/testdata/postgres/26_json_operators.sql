CREATE TABLE docs (id int, body jsonb);
INSERT INTO docs VALUES (1, '{"a": {"b": ["x;", "y"]}, "k": "v;"}'), (2, '{"$$": 1}');
SELECT body->'a'->>'b', body#>'{a,b}', body#>>'{a,b,0}', body->>'k' FROM docs;
SELECT id FROM docs WHERE body ? 'a' OR body ?| array['k', 'z'] OR body ?& array['$$'];
SELECT body @> '{"k": "v;"}', body - 'k', body #- '{a,b}', body @? '$.a.b[*] ? (@ == "x;")' FROM docs;
SELECT jsonb_path_query(body, '$.a.b[*] ? (@ like_regex "^x")') FROM docs;
