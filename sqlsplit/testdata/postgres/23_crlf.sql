-- CRLF line endings
CREATE TABLE crlf (
  id int, -- comment
  v text DEFAULT 'a;
b'
);
CREATE FUNCTION crlf_f() RETURNS int AS $$
BEGIN
  RETURN 1;
END;
$$ LANGUAGE plpgsql;
/* block
   comment */
INSERT INTO crlf (id) VALUES (crlf_f());
