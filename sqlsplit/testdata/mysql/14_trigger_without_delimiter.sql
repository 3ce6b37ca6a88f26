CREATE TABLE tw (id int, price decimal(10,2), band varchar(10), updated varchar(20));
CREATE TRIGGER tw_bi BEFORE INSERT ON tw
FOR EACH ROW
BEGIN
  IF NEW.price < 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative price; refused';
  END IF;
  SET NEW.band = CASE WHEN NEW.price > 100 THEN 'high' WHEN NEW.price > 10 THEN 'mid' ELSE 'low' END;
END;
CREATE TRIGGER tw_bu BEFORE UPDATE ON tw FOR EACH ROW SET NEW.updated = 'updated;';
CREATE TRIGGER tw_bi2 BEFORE INSERT ON tw FOR EACH ROW FOLLOWS tw_bi
BEGIN
  CASE NEW.band
    WHEN 'high' THEN SET NEW.updated = 'h';
    WHEN 'mid' THEN BEGIN SET NEW.updated = 'm'; END;
    ELSE SET NEW.updated = (SELECT CASE WHEN 1 THEN 'l' END);
  END CASE;
END;
INSERT INTO tw (id, price) VALUES (1, 5), (2, 50), (3, 500);
UPDATE tw SET price = price + 1 WHERE id = 1;
