CREATE FUNCTION band(p int) RETURNS varchar(10)
DETERMINISTIC
BEGIN
  DECLARE r varchar(10);
  SET r = CASE
    WHEN p > 100 THEN 'high;'
    WHEN p > 10 THEN 'mid'
    ELSE 'low'
  END;
  RETURN r;
END;
CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2;
CREATE FUNCTION first_word(s varchar(100)) RETURNS varchar(100) DETERMINISTIC
BEGIN
  IF locate(' ', s) = 0 THEN RETURN s; END IF;
  RETURN substring(s, 1, locate(' ', s) - 1);
END;
SELECT band(5), band(50), twice(21), first_word('hello; world');
