-- Nothing to run.
/* CREATE TABLE never (id int); */
-- BEGIN TRANSACTION;
