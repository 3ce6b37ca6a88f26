CREATE TABLE arr (id int, tags text[] DEFAULT '{}'::text[], m int[][] DEFAULT ARRAY[[1,2],[3,4]]);
INSERT INTO arr (id, tags) VALUES (1, '{"a;b","c}"}'::text[]), (2, ARRAY['x;', E'y\'']);
SELECT id::text || ';', tags[1], (tags)[1:2], m[1][2]::bigint, '1;2'::text, CAST('3' AS numeric(10, 2)),
       'arr'::regclass, 1::int::text::varchar(5), ARRAY(SELECT generate_series(1, 3))
FROM arr;
SELECT '{1,2,3}'::int[] @> ARRAY[2] AND ARRAY[1] <@ '{1}' AND '{1}'::int[] && '{1,2}';
