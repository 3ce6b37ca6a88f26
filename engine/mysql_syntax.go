package engine

// syntax is how MySQL and MariaDB read names.
func (mysql) syntax() syntax {
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

// naming is how MySQL and MariaDB name unnamed keys.
func (mysql) naming() naming {
	return naming{numberedForeignKeys: true, indexAfterColumn: true}
}

// checks is what lint needs to know of MySQL and MariaDB.
func (mysql) checks() checks {
	return checks{
		indexesInTables:         true,
		indexPrefixLengths:      true,
		fillsImplicitDefaults:   true,
		ignoresInlineReferences: true,
		renameLeavesSchema:      true,
		serialTypes:             []string{"SERIAL"},
	}
}
