-- Old-style function bodies in single quotes, doubled quotes inside.
CREATE FUNCTION greet(name text) RETURNS text AS '
BEGIN
  RETURN ''Hello; '' || name || ''!'';
END;
' LANGUAGE plpgsql;
CREATE FUNCTION semi() RETURNS text AS 'SELECT '';''::text' LANGUAGE sql;
SELECT greet('it''s me'), semi();
-- String constants continued over lines.
SELECT 'one;'
'two;'
   'three' AS joined;
