-- A trailing comment without a newline at the end of the file.
CREATE TABLE tc (id int);
SELECT 1;
-- it's the end; really