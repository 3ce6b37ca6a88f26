package testdb

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"sort"
)

// IndependentSum computes a sum file (atlas.sum, docs/sum.md) with nothing but
// crypto/sha256, to check atlassum against: files sorted by name bytes; one running SHA-256 takes each
// name, then its bytes; each line is the digest so far; the first line
// hashes every name and line hash (as base64 text).
func IndependentSum(files map[string][]byte) []byte {
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	run := sha256.New()
	type line struct{ name, hash string }
	var lines []line
	for _, n := range names {
		run.Write([]byte(n))
		first, _, _ := bytes.Cut(files[n], []byte("\n"))
		if bytes.Contains(first, []byte("atlas:sum ignore")) {
			continue
		}
		run.Write(files[n])
		lines = append(lines, line{n, base64.StdEncoding.EncodeToString(run.Sum(nil))})
	}
	tot := sha256.New()
	for _, l := range lines {
		tot.Write([]byte(l.name))
		tot.Write([]byte(l.hash))
	}
	var b bytes.Buffer
	b.WriteString("h1:" + base64.StdEncoding.EncodeToString(tot.Sum(nil)) + "\n")
	for _, l := range lines {
		b.WriteString(l.name + " h1:" + l.hash + "\n")
	}
	return b.Bytes()
}
