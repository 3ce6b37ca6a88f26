CREATE TABLE t (id int);
INSERT INTO t VALUES ('unclosed; string);
