-- "begin", "end" and "case" as identifiers; BEGIN and ATOMIC are not reserved.
CREATE TABLE "begin" ("end" int, "case" text, begin int, atomic int);
INSERT INTO "begin" ("end", "case", begin, atomic) VALUES (1, 'END;', 2, 3);
SELECT begin, "end", atomic, "case" FROM "begin";
ALTER TABLE "begin" ADD COLUMN "END;" int;
UPDATE "begin" SET begin = begin + 1 WHERE "case" = 'END;';
CREATE VIEW "end" AS SELECT b.begin AS begin, b."end" FROM "begin" AS b;
SELECT begin FROM "end";
CREATE TABLE "case" (begin_at timestamptz, end_at timestamptz, "begin end" text);
