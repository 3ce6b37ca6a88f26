CREATE TABLE accounts (id serial PRIMARY KEY, balance numeric NOT NULL DEFAULT 0, status text);
CREATE OR REPLACE FUNCTION transfer(src int, dst int, amount numeric)
RETURNS text
LANGUAGE plpgsql
AS $function$
DECLARE
  left_over numeric;
  tries int := 0;
BEGIN
  IF amount <= 0 THEN
    RAISE EXCEPTION 'amount must be positive; got %', amount;
  ELSIF amount > 1000 THEN
    RETURN 'too much; refused';
  END IF;
  LOOP
    tries := tries + 1;
    EXIT WHEN tries > 3;
    BEGIN
      UPDATE accounts SET balance = balance - amount WHERE id = src RETURNING balance INTO left_over;
      UPDATE accounts SET balance = balance + amount WHERE id = dst;
      EXIT;
    EXCEPTION WHEN serialization_failure THEN
      CONTINUE;
    END;
  END LOOP;
  CASE
    WHEN left_over < 0 THEN RETURN 'overdrawn';
    ELSE RETURN 'ok; ' || left_over::text;
  END CASE;
END;
$function$;
INSERT INTO accounts (balance) VALUES (100), (0);
SELECT transfer(1, 2, 30);
