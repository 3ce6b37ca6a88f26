# A hash comment; with 'quote and "double quote
CREATE TABLE hc (
  id int, # trailing; comment 'x
  v varchar(20) DEFAULT '#not a comment' # another " one
);
#between statements;
INSERT INTO hc VALUES (1, '# no'); # after ; on the same line 'x
SELECT v FROM hc WHERE v <> "#;" # comment before the ;
;
SELECT `#` FROM (SELECT 1 AS `#`) AS t;#no space needed after #
