CREATE TABLE ds (id int, v int, seen varchar(10));
delimiter //
CREATE TRIGGER ds_bi BEFORE INSERT ON ds FOR EACH ROW
BEGIN
  IF NEW.v IS NULL THEN
    SET NEW.v = 0; -- a comment with // in it
  END IF;
  SET NEW.seen = '//';
END //
INSERT INTO ds (id) VALUES (1) //
delimiter ;
INSERT INTO ds (id, v) VALUES (2, 2);
SELECT 10 / 2 AS five;
