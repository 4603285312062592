package storage

import "fmt"

// visible is the SQL condition that document row d is reached by the scope in parameters $a (the
// agencies, NULL for all) and $u (the uploader, 0 for any): one set-based condition the planner
// folds into the query, never a check per row in Go. A document is reached by its agency, or as
// another agency's paper in a dossier of the scope's (crossing); those few are gathered once into an
// array (an InitPlan), so both paths use an index and a filter tests a row by hash.
func visible(d string, a, u int) string {
	return fmt.Sprintf(`($%[2]d::text[] IS NULL OR %[1]s.agency = ANY($%[2]d::text[]) OR %[1]s.id = ANY(%[4]s))
		AND ($%[3]d::bigint = 0 OR %[1]s.uploaded_by = $%[3]d::bigint)`, d, a, u, crossing(a))
}

// crossing is the array of the documents of other agencies in the dossiers of the agencies $a.
func crossing(a int) string {
	return fmt.Sprintf(`ARRAY(SELECT sdd.document_id FROM dossier_documents sdd WHERE sdd.crosses AND sdd.agency = ANY($%d::text[]))`, a)
}

// countVisible is a count of the documents matching filters that the scope in $a and $u reaches, as
// two disjoint counts: by agency, which an index answers alone (no row read: a document with its
// text and search vectors fills a page of its own), and the crossing ones.
func countVisible(filters string, a, u int) string {
	uploader := fmt.Sprintf(`($%[1]d::bigint = 0 OR uploaded_by = $%[1]d::bigint)`, u)
	return fmt.Sprintf(`SELECT CASE WHEN $%[1]d::text[] IS NULL THEN (SELECT count(*) FROM documents WHERE %[2]s AND %[3]s)
		ELSE (SELECT count(*) FROM documents WHERE %[2]s AND %[3]s AND agency = ANY($%[1]d::text[]))
			+ (SELECT count(*) FROM documents WHERE %[2]s AND %[3]s AND id = ANY(%[4]s)
				AND NOT coalesce(agency = ANY($%[1]d::text[]), false)) END`, a, filters, uploader, crossing(a))
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
