/* header /* nested; */ still a comment; 'quote */
CREATE TABLE nc (id int /* inline /* nested */ ; */, v text);
/* a comment with 'quote and "dquote and $$ dollar; */
INSERT INTO nc VALUES (1, '/* not a comment */'), (2, '*/');
SELECT /* /* /* deep; */ */ */ count(*) FROM nc;
/*
 * CREATE TABLE commented_out (id int);
 * /* DROP TABLE nc; */
 */
SELECT 4 */* an operator, then a comment */ 2 AS eight;
