-- CRLF
CREATE TABLE crlf (id int, v text DEFAULT 'a;
b');
CREATE TRIGGER crlf_ai AFTER INSERT ON crlf
BEGIN
  UPDATE crlf SET v = 'x' WHERE id = NEW.id;
END;
INSERT INTO crlf (id) VALUES (1);
