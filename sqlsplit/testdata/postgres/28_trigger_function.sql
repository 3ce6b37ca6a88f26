CREATE TABLE audited (id int, updated_at timestamptz, note text);
CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = now(); -- ; inside
  IF NEW.note IS NULL THEN
    NEW.note := 'END;';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audited_touch BEFORE INSERT OR UPDATE ON audited
  FOR EACH ROW WHEN (pg_trigger_depth() < 1) EXECUTE FUNCTION touch();
INSERT INTO audited (id) VALUES (1);
