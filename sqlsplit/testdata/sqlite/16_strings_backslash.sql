-- Backslashes are plain characters in SQLite strings.
CREATE TABLE bs (s text);
INSERT INTO bs VALUES ('C:\'), ('a\\b;'), ('it''s');
INSERT INTO bs VALUES ('\'), (';\');
SELECT s FROM bs WHERE s <> '\' AND s <> "\";
