CREATE TABLE nodes (id integer PRIMARY KEY, parent int REFERENCES nodes (id), name text);
INSERT INTO nodes VALUES (1, NULL, 'root;'), (2, 1, 'child'), (3, 2, 'grand;child');
WITH RECURSIVE
  tree(id, path, depth) AS (
    SELECT id, name, 0 FROM nodes WHERE parent IS NULL
    UNION ALL
    SELECT n.id, tree.path || ' > ' || n.name, tree.depth + 1
    FROM nodes AS n JOIN tree ON n.parent = tree.id
  ),
  counter(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM counter WHERE x < 5)
SELECT path, depth, (SELECT group_concat(x, ';') FROM counter) FROM tree ORDER BY depth;
CREATE VIEW tree_view AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r LIMIT 3) SELECT i FROM r;
