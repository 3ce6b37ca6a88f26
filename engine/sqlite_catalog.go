package engine

func (sqlite) catalog() Catalog {
	return Catalog{
		FoldCase:       true,
		SingleSchema:   true,
		References:     ReferenceUnchecked,
		ObjectsQueries: []string{`SELECT type, '', name FROM sqlite_master WHERE type IN ('table', 'index', 'view', 'trigger')`},
	}
}
