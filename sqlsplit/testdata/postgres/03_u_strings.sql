-- U&'' strings and U&"" identifiers: a backslash does not escape the quote.
CREATE TABLE uni (id int PRIMARY KEY, s text);
INSERT INTO uni VALUES (1, U&'d\0061t\+000061; ok');
INSERT INTO uni VALUES (2, U&'!0441!043B!043E!0432!043E;' UESCAPE '!');
INSERT INTO uni VALUES (3, U&'back\\slash'';'), (4, u&'\00e9t\00e9');
SELECT U&"d\0061t\+000061" FROM (SELECT s AS data FROM uni) AS x WHERE U&"d!0061t!+000061" UESCAPE '!' <> U&';\0027';
