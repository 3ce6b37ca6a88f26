-- Nothing to run here.
# SELECT 1;
/* CREATE TABLE never (id int); */

-- DELIMITER $$
