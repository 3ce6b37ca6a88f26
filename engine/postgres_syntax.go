package engine

// postgresSyntax is how PostgreSQL reads names.
func postgresSyntax() syntax {
	return syntax{
		foldsToLower:               true,
		maxNameBytes:               63, // NAMEDATALEN - 1
		keepsColumnConstraintNames: true,
		proceduresAreFunctions:     true,
		routinesOverload:           true,
		triggerNamesPerTable:       true,
		identQuote:                 '"',
	}
}

// postgresNaming is how PostgreSQL names unnamed keys.
func postgresNaming() naming {
	return naming{
		keyLabels:                 map[string]string{"primary key": "pkey", "unique": "key", "foreign key": "fkey", "check": "check"},
		keyIndexSharesName:        true,
		dropColumnDropsDependents: true,
	}
}

// postgresChecks is what lint needs to know of PostgreSQL.
func postgresChecks() checks {
	return checks{
		exclusionConstraints: true,
		defaultSchema:        "public",
		serialTypes:          []string{"SERIAL", "SERIAL2", "SERIAL4", "SERIAL8", "SMALLSERIAL", "BIGSERIAL"},
	}
}
