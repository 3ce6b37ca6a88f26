CREATE TABLE base (id integer PRIMARY KEY, v text);
CREATE VIEW base_v AS SELECT id, upper(v) AS v FROM base;
CREATE TRIGGER base_v_ins INSTEAD OF INSERT ON base_v
FOR EACH ROW
BEGIN
  INSERT INTO base (id, v) VALUES (NEW.id, lower(NEW.v) || ';');
  INSERT INTO base (id, v) SELECT NEW.id + 100, 'copy' WHERE NEW.id < 10;
END;
CREATE TRIGGER base_v_del INSTEAD OF DELETE ON base_v BEGIN DELETE FROM base WHERE id = OLD.id; END;
INSERT INTO base_v VALUES (1, 'HELLO');
DELETE FROM base_v WHERE id = 101;
