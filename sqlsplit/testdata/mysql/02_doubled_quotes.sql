CREATE TABLE dq (id int, s varchar(50), d varchar(50));
INSERT INTO dq VALUES (1, 'it''s; doubled', "say ""hi""; doubled");
INSERT INTO dq VALUES (2, '''', """"), (3, ''';''', """;""");
INSERT INTO dq VALUES (4, 'mixed \' and '' quotes;', "mixed \" and "" quotes;");
SELECT 'a' 'b;' "c" AS adjacent, s FROM dq WHERE s = '''' OR d = """";
