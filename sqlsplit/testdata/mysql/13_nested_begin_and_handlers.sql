CREATE TABLE nb (id int PRIMARY KEY, note varchar(40));
CREATE TABLE nb_log (msg varchar(80));
CREATE PROCEDURE nb_p()
BEGIN
  DECLARE done int DEFAULT 0;
  DECLARE v varchar(40);
  DECLARE cur CURSOR FOR SELECT note FROM nb ORDER BY id;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;
  DECLARE CONTINUE HANDLER FOR SQLSTATE '23000'
  BEGIN
    INSERT INTO nb_log VALUES ('duplicate; ignored');
  END;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    GET DIAGNOSTICS CONDITION 1 @msg = MESSAGE_TEXT;
    INSERT INTO nb_log VALUES (concat('error: ', @msg));
  END;
  INSERT INTO nb VALUES (1, 'one;'), (2, 'two');
  INSERT INTO nb VALUES (1, 'again');
  BEGIN
    BEGIN
      OPEN cur;
      read_loop: LOOP
        FETCH cur INTO v;
        IF done THEN
          LEAVE read_loop;
        END IF;
        INSERT INTO nb_log VALUES (v);
      END LOOP;
      CLOSE cur;
    END;
  END;
END;
CALL nb_p();
SELECT msg FROM nb_log;
