-- UTF-8 identifiers and strings.
CREATE TABLE café (naïve varchar(40), `日本語;` int DEFAULT 1, größe decimal(5,2)) DEFAULT CHARSET=utf8mb4;
INSERT INTO café (naïve, größe) VALUES ('żółć; ✓ 🚀', 1.5), ("“quotes”; ‘single’", 2);
SELECT naïve, `日本語;` FROM café WHERE naïve <> 'коммент;' /* コメント; */; # コメント;
