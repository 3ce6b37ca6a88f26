CREATE TABLE esc (
  id int PRIMARY KEY AUTO_INCREMENT,
  s varchar(100) DEFAULT 'a\'b;c',
  d varchar(100) DEFAULT "x\"y;z"
);
INSERT INTO esc (s, d) VALUES ('it\'s; escaped', "say \"hi\"; twice");
INSERT INTO esc (s, d) VALUES ('back\\', "back\\"), ('\\\'', "\\\"");
INSERT INTO esc (s) VALUES ('tab\there\n;newline\0nul\Z\%\_');
INSERT INTO esc (s) VALUES ('C:\\temp\\;'), ('\';\'');
SELECT s, d FROM esc WHERE s <> '\\' AND d <> "\\";
