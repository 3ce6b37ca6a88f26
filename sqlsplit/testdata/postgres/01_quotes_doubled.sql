-- Single and double quotes, with doubling.
CREATE TABLE "quo""ted;table" (
  id int PRIMARY KEY,
  "col;umn" text DEFAULT 'it''s; here',
  "x""y" text DEFAULT ''''
);
INSERT INTO "quo""ted;table" (id, "col;umn") VALUES (1, 'a;b''c'''), (2, ''';''');
INSERT INTO "quo""ted;table" VALUES (3, '', '"'), (4, ';', '"";""');
SELECT "col;umn" AS ";", "x""y" AS """;""" FROM "quo""ted;table" WHERE "x""y" = '''' OR 'a''' = 'a''';
COMMENT ON TABLE "quo""ted;table" IS 'Table''s comment; with "double" quotes';
