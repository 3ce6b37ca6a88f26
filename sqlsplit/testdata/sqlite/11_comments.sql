-- leading comment; with 'quote
/* block comment; with "quote */
CREATE TABLE cm (id int /* inline; */, v text DEFAULT '--not a comment'); -- trailing 'x
/* SQLite block comments do not nest: /* this ends here */
INSERT INTO cm VALUES (1, '/* not a comment */'); /* after */
SELECT v FROM cm -- before the ;
;
SELECT 2--1;
+ 3 AS five;
