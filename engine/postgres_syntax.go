package engine

// syntax is how PostgreSQL reads names.
func (postgres) syntax() syntax {
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

// naming is how PostgreSQL names unnamed keys.
func (postgres) naming() naming {
	return naming{
		keyLabels:                 map[string]string{"primary key": "pkey", "unique": "key", "foreign key": "fkey", "check": "check"},
		keyIndexSharesName:        true,
		dropColumnDropsDependents: true,
	}
}

// checks is what lint needs to know of PostgreSQL.
func (postgres) checks() checks {
	return checks{
		exclusionConstraints: true,
		defaultSchema:        "public",
		serialTypes:          []string{"SERIAL", "SERIAL2", "SERIAL4", "SERIAL8", "SMALLSERIAL", "BIGSERIAL"},
	}
}
