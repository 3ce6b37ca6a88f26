package engine

// sqliteSyntax is how SQLite reads names.
var sqliteSyntax = syntax{
	caseInsensitive: true,
	noSchemas:       true,
	schemaAsText:    true,
	identQuote:      '"',
}
