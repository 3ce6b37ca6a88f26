package engine

// sqliteSyntax is how SQLite reads names.
func sqliteSyntax() syntax {
	return syntax{
		caseInsensitive: true,
		noSchemas:       true,
		schemaAsText:    true,
		identQuote:      '"',
	}
}
