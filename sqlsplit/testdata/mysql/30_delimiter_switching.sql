CREATE TABLE sw (id varchar(10));
DELIMITER $$
INSERT INTO sw VALUES (1), (';'); -- this ; does not end it
$$
$$
INSERT INTO sw VALUES (2)$$
CREATE PROCEDURE sw_p() BEGIN INSERT INTO sw VALUES (3); END$$
DELIMITER ;;
CALL sw_p();;
DELIMITER ;
-- DELIMITER in a comment does nothing $$
SELECT 'DELIMITER $$' AS not_a_command;
SELECT count(*) FROM sw
