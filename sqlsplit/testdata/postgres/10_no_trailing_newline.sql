CREATE TABLE nt2 (id int);

   SELECT 1 AS no_newline_either