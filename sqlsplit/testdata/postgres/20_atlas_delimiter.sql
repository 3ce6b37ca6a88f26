-- atlas:delimiter //
CREATE TABLE ad (id int);
INSERT INTO ad VALUES (1);
//
CREATE FUNCTION ad_count() RETURNS bigint AS $$
  SELECT count(*) FROM ad; -- // inside a dollar quote
$$ LANGUAGE sql
//
SELECT '//' AS slashes, ad_count() /* // */ //

-- comment after the delimiter
SELECT 1 AS last
