CREATE TABLE dd (id int, note varchar(50));
DELIMITER $$
CREATE PROCEDURE dd_fill(IN n int)
BEGIN
  DECLARE i int DEFAULT 0;
  WHILE i < n DO
    INSERT INTO dd VALUES (i, 'row; $ not the end');
    SET i = i + 1;
  END WHILE;
END$$
CREATE FUNCTION dd_count() RETURNS int
READS SQL DATA
BEGIN
  RETURN (SELECT count(*) FROM dd);
END $$
DELIMITER ;
CALL dd_fill(3);
SELECT dd_count();
