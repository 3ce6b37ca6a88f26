CREATE TABLE "quo""ted;table" ("col;umn" text DEFAULT 'it''s; here', "x""y" text DEFAULT '''', "back\" int);
INSERT INTO "quo""ted;table" ("col;umn", "back\") VALUES ('a;b''c''', 1), (''';''', 2);
SELECT "col;umn" AS ";", "x""y" AS """;""" FROM "quo""ted;table" WHERE "x""y" = '''';
