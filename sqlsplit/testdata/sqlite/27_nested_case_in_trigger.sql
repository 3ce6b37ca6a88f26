CREATE TABLE grades (id int, score int, letter text);
CREATE TRIGGER grades_ai AFTER INSERT ON grades
WHEN NEW.letter IS NULL
BEGIN
  UPDATE grades SET letter =
    CASE
      WHEN NEW.score >= 90 THEN 'A'
      WHEN NEW.score >= 80 THEN CASE WHEN NEW.score >= 85 THEN 'B+' ELSE 'B' END
      ELSE (SELECT CASE WHEN NEW.score < 0 THEN RAISE(ABORT, 'END; negative') ELSE 'C' END)
    END
  WHERE id = NEW.id;
  SELECT CASE END_VALUE WHEN 1 THEN 1 END FROM (SELECT 1 AS END_VALUE);
END;
INSERT INTO grades (id, score) VALUES (1, 95), (2, 86), (3, 50);
