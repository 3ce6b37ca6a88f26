SELECT "unclosed \" ;
