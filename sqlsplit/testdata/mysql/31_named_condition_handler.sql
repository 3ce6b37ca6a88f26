CREATE TABLE nh (id int PRIMARY KEY, note varchar(40));
CREATE PROCEDURE nh_p()
BEGIN
  DECLARE dup_key CONDITION FOR 1062;
  DECLARE CONTINUE HANDLER FOR dup_key
    -- a comment between the condition and the block
    BEGIN
      INSERT INTO nh VALUES (100, 'duplicate; handled');
    END;
  INSERT INTO nh VALUES (1, 'one');
  INSERT INTO nh VALUES (1, 'again');
  IF (SELECT count(*) FROM nh) = 2 THEN -- a comment after THEN
    BEGIN
      UPDATE nh SET note = concat(note, ';') WHERE id = 1;
    END;
  ELSE BEGIN END;
  END IF;
END;
CALL nh_p();
SELECT note FROM nh ORDER BY id;
