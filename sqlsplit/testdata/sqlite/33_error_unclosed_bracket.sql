CREATE TABLE [unclosed (id int);
