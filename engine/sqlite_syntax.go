package engine

// syntax is how SQLite reads names.
func (sqlite) syntax() syntax {
	return syntax{
		caseInsensitive: true,
		noSchemas:       true,
		schemaAsText:    true,
		identQuote:      '"',
	}
}

// naming is empty for SQLite: ferry derives none of the names it makes up.
func (sqlite) naming() naming { return naming{} }

// checks is what lint needs to know of SQLite.
func (sqlite) checks() checks {
	return checks{
		noAlterColumn:          true,
		primaryKeyNullable:     true,
		indexNameCarriesSchema: true,
		defaultSchema:          "main",
	}
}
