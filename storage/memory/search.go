package memory

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/extract"
	"github.com/sohoa-vn/sohoa/storage"
)

// Search matches as PostgreSQL's backend does, in a simpler way: words are runs of letters and digits
// (so "110/KH-UBND" is the phrase 110 kh ubnd), compared lowercased and folded as unaccent folds them;
// a query is words, "phrases" and -exclusions, all of which must hold; a query with no words and no
// exclusions finds nothing; documents that match with the diacritics as typed come first, then the
// newest. Only indexed documents are found. Every match is counted, and the facets are of all.
func (s *Store) Search(ctx context.Context, q storage.Query) (storage.Results, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Results{}, err
	}
	defer s.mu.Unlock()
	terms := parseQuery(q.Text)
	type match struct {
		d     *document
		exact bool
	}
	var matches []match
	for _, d := range s.docs {
		if !d.indexed || !s.filtered(d, q) || !s.reaches(q.Scope, d) {
			continue
		}
		words := tokens(d.Title + " " + d.text)
		if holds(terms, words, func(t token) string { return t.folded }) {
			matches = append(matches, match{d, holds(terms, words, func(t token) string { return t.exact })})
		}
	}
	slices.SortFunc(matches, func(a, b match) int {
		if a.exact != b.exact {
			if a.exact {
				return -1
			}
			return 1
		}
		return int(b.d.created - a.d.created)
	})
	r := storage.Results{Total: len(matches), Hits: []storage.Hit{}}
	for _, m := range window(matches, q.Limit, 20, q.Offset) {
		r.Hits = append(r.Hits, storage.Hit{ID: m.d.ID, Code: m.d.Code, Title: m.d.Title, Snippet: snippet(m.d.text, terms)})
	}
	docs := make([]*document, len(matches))
	for i, m := range matches {
		docs[i] = m.d
	}
	r.Facets = facets(docs)
	return r, nil
}

// facets counts docs as PostgreSQL's backend does: by kind, agency and owner the most first (ties
// by value), by month the newest first, each list as long as there.
func facets(docs []*document) storage.Facets {
	by := func(value func(*document) string, byCount bool, limit int) []storage.Facet {
		counts := map[string]int{}
		for _, d := range docs {
			if v := value(d); v != "" {
				counts[v]++
			}
		}
		var out []storage.Facet
		for v, n := range counts {
			out = append(out, storage.Facet{Value: v, Count: n})
		}
		slices.SortFunc(out, func(a, b storage.Facet) int {
			if byCount && a.Count != b.Count {
				return b.Count - a.Count
			}
			if byCount {
				return strings.Compare(a.Value, b.Value)
			}
			return strings.Compare(b.Value, a.Value)
		})
		return out[:min(len(out), limit)]
	}
	return storage.Facets{Counted: len(docs),
		Kind:   by(func(d *document) string { return d.paper.kind }, true, 12),
		Agency: by(agencyOf, true, 30),
		Month:  by(func(d *document) string { return paperDay(d)[:7] }, false, 24),
		Owner:  by(func(d *document) string { return d.paper.owner }, true, 12),
	}
}

// agencyOf is d's agency as searches filter it: its own, else the left part of its code.
func agencyOf(d *document) string {
	if d.Agency != "" {
		return d.Agency
	}
	agency, _, _ := strings.Cut(d.Code, "-")
	return agency
}

// paperDay is d's date as searches filter it: its issue date, else the day it was received in
// Vietnam.
func paperDay(d *document) string {
	if d.paper.issuedOn != nil {
		return d.paper.issuedOn.Format(time.DateOnly)
	}
	return d.CreatedAt.In(code.Vietnam).Format(time.DateOnly)
}

// filtered reports whether d passes every filter of q that is set. Agency is the document's, or for
// a document of none the left part of its code.
func (s *Store) filtered(d *document, q storage.Query) bool {
	p := d.paper
	if q.Owner != "" && p.owner != q.Owner || q.Kind != "" && p.kind != q.Kind || q.Agency != "" && agencyOf(d) != q.Agency {
		return false
	}
	if q.Code != "" && d.Code != q.Code && !s.inDossier(d, q.Code) {
		return false
	}
	day := paperDay(d)
	return (q.From == nil || day >= q.From.Format(time.DateOnly)) && (q.To == nil || day <= q.To.Format(time.DateOnly))
}

// inDossier reports whether d is in the dossier whose code is c, or is attached under code c.
func (s *Store) inDossier(d *document, c string) bool {
	for _, id := range d.in {
		ds := s.dossiers[id]
		if ds.Code == c {
			return true
		}
		for _, a := range ds.attachments {
			if a.DocumentID == d.ID && a.ComponentCode == c {
				return true
			}
		}
	}
	return false
}

type token struct {
	exact, folded string // lowercased; lowercased and folded
	start, end    int    // byte offsets in the text
}

func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func tokens(text string) []token {
	var out []token
	start := -1
	for i, r := range text + " " {
		switch {
		case isWord(r) && start < 0:
			start = i
		case !isWord(r) && start >= 0:
			w := text[start:i]
			out = append(out, token{exact: strings.ToLower(w), folded: extract.Fold(w), start: start, end: i})
			start = -1
		}
	}
	return out
}

// term is one word or phrase of a query, as tokens that must follow each other.
type term struct {
	words   []token
	exclude bool
}

// parseQuery reads q as PostgreSQL's websearch_to_tsquery does: "quoted phrases", -exclusions, and
// words; what holds no letter or digit is dropped.
func parseQuery(q string) []term {
	var terms []term
	for q = strings.TrimSpace(q); q != ""; q = strings.TrimSpace(q) {
		var t term
		if q[0] == '-' {
			t.exclude, q = true, q[1:]
		}
		var part string
		if q != "" && q[0] == '"' {
			part, q, _ = strings.Cut(q[1:], `"`)
		} else if i := strings.IndexFunc(q, unicode.IsSpace); i >= 0 {
			part, q = q[:i], q[i:]
		} else {
			part, q = q, ""
		}
		if t.words = tokens(part); len(t.words) > 0 {
			terms = append(terms, t)
		}
	}
	return terms
}

// holds reports whether words, compared by form, contain every term to include and none to exclude.
func holds(terms []term, words []token, form func(token) string) bool {
	if len(terms) == 0 {
		return false
	}
	for _, t := range terms {
		if has(words, t.words, form) == t.exclude {
			return false
		}
	}
	return true
}

func has(words, phrase []token, form func(token) string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		if slices.EqualFunc(words[i:i+len(phrase)], phrase, func(a, b token) bool { return form(a) == form(b) }) {
			return true
		}
	}
	return false
}

// snippet is up to 20 words of text from 8 before the first word of a term to include, each such word
// marked «so»; the first 8 words when the text holds none.
func snippet(text string, terms []term) string {
	marked := map[string]bool{}
	for _, t := range terms {
		for _, w := range t.words {
			marked[w.folded] = !t.exclude || marked[w.folded]
		}
	}
	words := tokens(text)
	first := slices.IndexFunc(words, func(w token) bool { return marked[w.folded] })
	if first < 0 {
		if len(words) == 0 {
			return ""
		}
		return text[words[0].start:words[min(len(words), 8)-1].end]
	}
	words = words[max(0, first-8):min(len(words), max(0, first-8)+20)]
	var b strings.Builder
	at := words[0].start
	for _, w := range words {
		b.WriteString(text[at:w.start])
		if marked[w.folded] {
			b.WriteString("«" + text[w.start:w.end] + "»")
		} else {
			b.WriteString(text[w.start:w.end])
		}
		at = w.end
	}
	return b.String()
}
