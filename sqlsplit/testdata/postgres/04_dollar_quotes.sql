-- Dollar quotes with and without tags, nested different tags, $$ inside $tag$.
CREATE FUNCTION add_one(integer) RETURNS integer AS $$
  SELECT $1 + 1; -- $1 is a parameter; this ; is inside the body
$$ LANGUAGE sql;
CREATE FUNCTION outer_fn() RETURNS text AS $outer$
DECLARE
  q text := $q$it's; $$ not the end$q$;
BEGIN
  EXECUTE $inner$SELECT 'x;y' || $$;$$$inner$ INTO q;
  RETURN q || $$'$$ || $_$;$_$;
END;
$outer$ LANGUAGE plpgsql;
SELECT $_$a;b$_$ AS under, $ü$ ünï;cödé $ü$ AS uni, $a1$ x $a1$ AS digits, $TAG$ $tag$ ; $TAG$ AS case_sensitive;
SELECT add_one(41), outer_fn(), $$$$ AS empty;
