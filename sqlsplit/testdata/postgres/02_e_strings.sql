-- E'' strings: backslash escapes \' and \\ (standard strings keep backslashes).
CREATE TABLE esc (id int PRIMARY KEY, s text);
INSERT INTO esc VALUES (1, E'it\'s; escaped');
INSERT INTO esc VALUES (2, E'back\\slash\\'), (3, e'lower \' e; ok');
INSERT INTO esc VALUES (4, E'\\'), (5, E'tab\there\n;newline'), (6, E'\x41\101\u0041; hex, octal, unicode');
INSERT INTO esc VALUES (7, E'doubled '' and escaped \' quotes;');
-- A standard string ends at the quote after the backslash.
INSERT INTO esc VALUES (8, 'plain\'), (9, E'\'' || 'C:\temp\');
SELECT s AS "e'", 'x'||E'\'' FROM esc WHERE s <> E'\';\'' AND s <> 'x\';
