CREATE TABLE café (naïve text, "日本語;" int DEFAULT 1, [größe] real, `ñandú` text);
INSERT INTO café (naïve, [größe], `ñandú`) VALUES ('żółć; ✓ 🚀', 1.5, '“quotes”; ‘single’');
SELECT naïve, "日本語;" FROM café WHERE naïve <> 'коммент;' /* コメント; */; -- コメント;
