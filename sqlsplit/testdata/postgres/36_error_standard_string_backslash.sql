INSERT INTO t VALUES ('it\'s');
