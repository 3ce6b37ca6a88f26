/* A block comment; with 'quote and "dquote */
CREATE TABLE bc (id int /* inline; */, v varchar(20) DEFAULT '/*;*/');
/* MySQL block comments do not nest: /* this ends here */
INSERT INTO bc VALUES (1, '*/');
SELECT /* ; */ v FROM bc /* 'x */;
/*
CREATE TABLE commented_out (id int);
*/
SELECT 4 /* a / b */ / 2 AS two;
