package storage

import "fmt"

// visible is the SQL condition that document row d is reached by the scope in parameters $a (the
// agencies, NULL for all) and $u (the uploader, 0 for any): one set-based condition the planner
// folds into the query, never a check per row in Go. The documents in the agencies' dossiers are an
// uncorrelated IN, which PostgreSQL computes once into a hash (a correlated EXISTS would run once per
// document: a second at 100 000).
func visible(d string, a, u int) string {
	return fmt.Sprintf(`($%[2]d::text[] IS NULL OR %[1]s.agency = ANY($%[2]d::text[])
		OR %[1]s.id IN (SELECT sdd.document_id FROM dossier_documents sdd JOIN dossiers sx ON sx.id = sdd.dossier_id
			WHERE sx.agency = ANY($%[2]d::text[])))
		AND ($%[3]d::bigint = 0 OR %[1]s.uploaded_by = $%[3]d::bigint)`, d, a, u)
}

// scopeArgs are the parameters of visible for s.
func scopeArgs(s *Scope) (agencies []string, uploader int64) {
	if s == nil {
		return nil, 0
	}
	if s.Agencies == nil {
		return []string{}, s.Uploader // a scope of no agency reaches nothing, not everything
	}
	return s.Agencies, s.Uploader
}
