ALTER TABLE orders ADD COLUMN status varchar(20) NOT NULL DEFAULT 'new';
CREATE INDEX orders_status ON orders (status);
