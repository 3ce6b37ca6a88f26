-- Nothing to run here.
/* CREATE TABLE never (id int); */

-- SELECT 1;
/* /* nested */ ; */
