CREATE TABLE dob (id int);
DO $$
BEGIN
  INSERT INTO dob VALUES (1);
  IF (SELECT count(*) FROM dob) = 1 THEN
    RAISE NOTICE 'one row; fine';
  END IF;
END
$$;
DO LANGUAGE plpgsql $do$
DECLARE i int;
BEGIN
  FOR i IN 2..3 LOOP
    INSERT INTO dob VALUES (i);
  END LOOP;
END $do$;
DO 'BEGIN INSERT INTO dob VALUES (4); END';
DO E'BEGIN RAISE NOTICE \'escaped; quote\'; END';
DO $$ BEGIN END $$
;
