CREATE TABLE sales (region text, month int, amount real);
INSERT INTO sales VALUES ('n;', 1, 10), ('n;', 2, 20), ('s', 1, 5);
SELECT region, month,
       sum(amount) OVER (PARTITION BY region ORDER BY month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running,
       rank() OVER w AS r
FROM sales
WINDOW w AS (PARTITION BY region ORDER BY amount DESC);
