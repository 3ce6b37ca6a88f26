SELECT 1;
/* unclosed comment
SELECT 2;
