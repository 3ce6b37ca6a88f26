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

// sqliteChecks is what lint needs to know of SQLite.
func sqliteChecks() checks {
	return checks{
		noAlterColumn:          true,
		primaryKeyNullable:     true,
		indexNameCarriesSchema: true,
		defaultSchema:          "main",
	}
}
