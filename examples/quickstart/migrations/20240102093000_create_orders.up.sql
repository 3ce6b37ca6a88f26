CREATE TABLE orders (
  id integer PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  total_cents integer NOT NULL
);
CREATE INDEX orders_user_id ON orders (user_id);
