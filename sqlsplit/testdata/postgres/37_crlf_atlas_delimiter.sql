-- atlas:delimiter //
CREATE TABLE cd (id int);
INSERT INTO cd VALUES (1);
//
DO $$ BEGIN
  UPDATE cd SET id = 2; -- ; not the end
END $$;
//
SELECT id FROM cd
