package engine

// postgresSyntax is how PostgreSQL reads names.
var postgresSyntax = syntax{
	foldsToLower:               true,
	maxNameBytes:               63, // NAMEDATALEN - 1
	keepsColumnConstraintNames: true,
	proceduresAreFunctions:     true,
	routinesOverload:           true,
	triggerNamesPerTable:       true,
	identQuote:                 '"',
}
