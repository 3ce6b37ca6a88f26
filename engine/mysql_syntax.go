package engine

// mysqlSyntax is how MySQL and MariaDB read names.
func mysqlSyntax() syntax {
	return syntax{
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
}

// mysqlNaming is how MySQL and MariaDB name unnamed keys.
func mysqlNaming() naming {
	return naming{numberedForeignKeys: true, indexAfterColumn: true}
}

// mysqlChecks is what lint needs to know of MySQL and MariaDB.
func mysqlChecks() checks {
	return checks{
		indexesInTables:         true,
		indexPrefixLengths:      true,
		fillsImplicitDefaults:   true,
		ignoresInlineReferences: true,
		renameLeavesSchema:      true,
		serialTypes:             []string{"SERIAL"},
	}
}
