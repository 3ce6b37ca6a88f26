CREATE TABLE `we``ird;name` (
  `id` int PRIMARY KEY,
  `col;umn` varchar(20) DEFAULT ';',
  `it's` int,
  `"quoted"` int,
  `back\` int,
  `#hash` int,
  `-- dashes` int
);
INSERT INTO `we``ird;name` (`id`, `it's`, `back\`, `#hash`, `-- dashes`) VALUES (1, 2, 3, 4, 5);
SELECT `col;umn` AS `;`, `back\` FROM `we``ird;name` AS ```t```;
