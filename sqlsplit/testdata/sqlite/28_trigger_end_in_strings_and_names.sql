CREATE TABLE ev ("end" int, "begin" int, end_at text, note text);
CREATE TRIGGER ev_bi BEFORE INSERT ON ev
BEGIN
  SELECT RAISE(ABORT, 'END') WHERE NEW."end" < NEW."begin";
  UPDATE ev SET note = 'BEGIN ... END;' WHERE end_at = NEW.end_at; -- END; in a comment
  /* END; */ UPDATE ev SET note = "end" WHERE 0;
END;
INSERT INTO ev VALUES (2, 1, 'x', NULL);
