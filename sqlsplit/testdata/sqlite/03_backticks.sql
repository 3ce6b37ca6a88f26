CREATE TABLE `we``ird;name` (`id` integer PRIMARY KEY, `col;umn` text DEFAULT ';', `it's` int, `"q"` int);
INSERT INTO `we``ird;name` (`id`, `it's`) VALUES (1, 2);
SELECT `col;umn` AS `;` FROM `we``ird;name` AS ```t```;
