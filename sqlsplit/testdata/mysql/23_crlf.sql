-- CRLF line endings
CREATE TABLE crlf (
  id int, # comment
  v varchar(10) DEFAULT 'a;\r\n'
);
CREATE PROCEDURE crlf_p()
BEGIN
  INSERT INTO crlf (id) VALUES (1);
END;
DELIMITER //
CREATE PROCEDURE crlf_q()
BEGIN
  CALL crlf_p();
END//
DELIMITER ;
CALL crlf_q();
