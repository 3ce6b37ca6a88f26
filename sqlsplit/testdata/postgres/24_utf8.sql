-- UTF-8: identifiers and strings outside ASCII.
CREATE TABLE café (naïve text, "日本語;" int DEFAULT 1, größe numeric, ñandú text);
INSERT INTO café (naïve, größe, ñandú) VALUES ('żółć; ✓', 1.5, $€$ 🚀; $€$);
COMMENT ON COLUMN café.naïve IS 'Ünïcödé — “quotes”; ‘single’';
SELECT naïve, "日本語;" FROM café WHERE ñandú <> '🙂' /* коммент; */; -- コメント;
