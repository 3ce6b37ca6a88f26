DROP INDEX orders_user_id;
DROP TABLE orders;
