CREATE TABLE t (a int, b int, note text);
CREATE TRIGGER trg AFTER INSERT ON t
BEGIN
  UPDATE t SET b = 1 WHERE a = NEW.a;
  SELECT CASE WHEN NEW.a < 0 THEN RAISE(ABORT, 'negative; refused') END;
  UPDATE t SET note = CASE NEW.a WHEN 1 THEN 'one;' ELSE 'END' END WHERE a = NEW.a;
END;
CREATE INDEX t_a ON t (a);
INSERT INTO t (a) VALUES (1), (2);
