CREATE TABLE emp (id int, salary int, dept text);
CREATE VIEW emp_band AS
SELECT id,
       CASE WHEN salary > 100 THEN 'high;'
            WHEN salary > 10 THEN CASE dept WHEN 'x' THEN 'mid-x' ELSE 'mid' END
            ELSE 'low'
       END AS band
FROM emp;
CREATE VIEW "begin" AS SELECT 1 AS "end";
SELECT band FROM emp_band;
