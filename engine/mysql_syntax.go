package engine

// mysqlSyntax is how MySQL and MariaDB read names.
var mysqlSyntax = syntax{
	caseInsensitive:            true,
	keysAreIndexes:             true,
	keepsColumnConstraintNames: true,
	indexNamesPerTable:         true,
	foreignKeysNeedIndex:       true,
	dropColumnNarrowsIndexes:   true,
	renameTable:                true,
	identQuote:                 '`',
	databaseIsSchema:           true,
	primaryKeyIndex:            "PRIMARY",
}
