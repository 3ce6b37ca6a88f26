CREATE TABLE [we;ird "name'] ([col;umn] text DEFAULT ';', [it's] int, [back\] int, [-- dashes] int, [/* c */] int);
INSERT INTO [we;ird "name'] ([it's], [back\], [-- dashes], [/* c */]) VALUES (1, 2, 3, 4);
SELECT [col;umn] AS [;], [back\] FROM [we;ird "name'] AS [t];
CREATE TABLE [begin] ([end] int, [case] int);
