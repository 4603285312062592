package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/storage"
)

// Search finds indexed documents by their words, with or without diacritics, and narrows them by
// owner, kind, agency, code (the document's, or a dossier's it is in) and issue date.
func TestSearch(t *testing.T) {
	r := newRig(t)
	citizens := r.openDossier(citizen)
	business := r.openDossier(company)
	birth := r.attach(citizens.ID, "", "khai-sinh.png", scanPNG(110)).Document.ID
	permit := r.attach(business.ID, "", "giay-phep.png", scanPNG(111)).Document.ID
	alone := r.receive("cong-van.png", scanPNG(112)).ID
	unindexed := r.receive("chua-xong.png", scanPNG(113)).ID
	r.read[birth] = []storage.PageResult{{Text: "Giấy khai sinh\nHọ và tên: Nguyễn Văn An. Nơi sinh: Hà Nội", Confidence: 90}}
	r.read[permit] = []storage.PageResult{{Text: "Giấy phép kinh doanh\nCông ty TNHH An Khang, Hà Nội", Confidence: 90}}
	r.read[alone] = []storage.PageResult{{Text: "Công văn số 110/KH-UBND về việc khai sinh lưu động", Confidence: 90}}
	r.read[unindexed] = []storage.PageResult{{Text: "Giấy khai sinh chưa lập chỉ mục", Confidence: 90}}
	for _, id := range []string{birth, permit, alone} {
		r.finish(id)
	}
	r.runTo(unindexed, "index")
	for id, fields := range map[string]map[string]any{
		birth:  {"kind": "Giấy khai sinh", "issued_on": "2020-05-01"},
		permit: {"kind": "Giấy phép kinh doanh", "issued_on": "2024-11-20"},
		alone:  {"kind": "Công văn", "issued_on": "2025-01-15"},
	} {
		r.sendJSON(http.MethodPut, "/api/v1/documents/"+id+"/paper", fields).wantStatus(t, http.StatusOK)
	}

	for _, c := range []struct {
		query string
		want  []string // best first
		total int      // when it is not len(want)
	}{
		{"q=khai+sinh", []string{alone, birth}, 0},
		{"q=khai+sinh&limit=1", []string{alone}, 2},
		{"q=khai+sinh&limit=1&offset=1", []string{birth}, 2},
		{"q=Hà+Nội", []string{permit, birth}, 0},
		{"q=ha+noi", []string{permit, birth}, 0},
		{"q=" + url.QueryEscape(`"giấy phép"`), []string{permit}, 0},
		{"q=khai+sinh+-lưu", []string{birth}, 0},
		{"q=110/KH-UBND", []string{alone}, 0},
		{"q=Hà+Nội&owner=" + citizen, []string{birth}, 0},
		{"q=Hà+Nội&owner=" + company, []string{permit}, 0},
		{"q=khai+sinh&kind=" + url.QueryEscape("Công văn"), []string{alone}, 0},
		{"q=Hà+Nội&agency=" + testAgency, []string{permit, birth}, 0},
		{"q=Hà+Nội&agency=000.00.00.H99", nil, 0},
		{"q=khai+sinh&code=" + citizens.Code, []string{birth}, 0},
		{"q=khai+sinh&code=" + r.doc(alone).Code, []string{alone}, 0},
		{"q=khai+sinh&code=" + r.doc(birth).Code, []string{birth}, 0},
		{"q=khai+sinh&from=2021-01-01", []string{alone}, 0},
		{"q=khai+sinh&to=2020-05-01", []string{birth}, 0},
		{"q=Hà+Nội&from=2020-05-01&to=2024-11-20", []string{permit, birth}, 0},
		{"q=Hà+Nội&from=2020-05-02&to=2024-11-19", nil, 0},
		{"q=chỉ+mục", nil, 0},
	} {
		t.Run(c.query, func(t *testing.T) {
			r := r.in(t)
			a := r.get("/api/v1/search?" + c.query)
			a.wantStatus(t, http.StatusOK)
			var res SearchResult
			a.decode(t, &res)
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
				if h.Code != r.doc(h.ID).Code || h.Title == "" || !strings.Contains(h.Snippet, "«") {
					t.Errorf("hit %+v", h)
				}
			}
			if total := max(c.total, len(c.want)); !slices.Equal(got, c.want) || res.Total != total {
				t.Errorf("hits %v of %d, want %v of %d", got, res.Total, c.want, total)
			}
		})
	}

	t.Run("facets", func(t *testing.T) {
		r := r.in(t)
		var res SearchResult
		r.get("/api/v1/search?q=khai+sinh").decode(t, &res)
		want := Facets{Counted: 2,
			Kind:   []FacetValue{{Value: "Công văn", Count: 1}, {Value: "Giấy khai sinh", Count: 1}},
			Agency: []FacetValue{{Value: testAgency, Name: "UBND quận Lê Chân", Count: 2}},
			Month:  []FacetValue{{Value: "2025-01", Count: 1}, {Value: "2020-05", Count: 1}},
			Owner:  []FacetValue{{Value: citizen, Count: 1}}}
		if res.TotalEstimated || !reflect.DeepEqual(res.Facets, want) {
			t.Errorf("estimated %v, facets %+v; want %+v", res.TotalEstimated, res.Facets, want)
		}
		// The owners the facets show are in the trail with the search.
		_, events, err := r.store.Audit(t.Context(), storage.AuditQuery{Limit: 1})
		if err != nil || len(events) != 1 || fmt.Sprint(events[0].Detail["facet_owners"]) != "["+citizen+"]" {
			t.Errorf("last event %+v, %v", events, err)
		}
		// What a facet offers, its filter narrows to.
		r.get("/api/v1/search?q=khai+sinh&kind="+url.QueryEscape("Giấy khai sinh")).decode(t, &res)
		if len(res.Hits) != 1 || res.Hits[0].ID != birth || res.Facets.Kind[0] != (FacetValue{Value: "Giấy khai sinh", Count: 1}) {
			t.Errorf("narrowed to the kind: %+v", res)
		}
		r.get("/api/v1/search?q=khai+sinh&from=2025-01-01&to=2025-01-31").decode(t, &res)
		if len(res.Hits) != 1 || res.Hits[0].ID != alone {
			t.Errorf("narrowed to the month: %+v", res)
		}
	})

	t.Run("an estimated total says so", func(t *testing.T) {
		r := r.in(t)
		r.srv.Records = estimating{r.store}
		var res SearchResult
		r.get("/api/v1/search?q=khai+sinh").decode(t, &res)
		if !res.TotalEstimated || res.Total != 120000 || !res.Facets.Sampled {
			t.Errorf("total %d estimated %v sampled %v", res.Total, res.TotalEstimated, res.Facets.Sampled)
		}
	})

	for _, c := range []struct{ query, code string }{
		{"", codeMissing},
		{"q=+++", codeMissing},
		{"q=khai&from=01/01/2020", codeBadDate},
		{"q=khai&to=2020-13-01", codeBadDate},
	} {
		t.Run("refused "+c.query, func(t *testing.T) {
			r := r.in(t)
			r.get("/api/v1/search?"+c.query).wantError(t, http.StatusBadRequest, c.code)
		})
	}
}

// estimating answers searches as a store of a province does when many documents match: the total
// estimated and the facets of the newest matches.
type estimating struct{ storage.Records }

func (e estimating) Search(ctx context.Context, q storage.Query) (storage.Results, error) {
	r, err := e.Records.Search(ctx, q)
	r.Total, r.Estimated, r.Facets.Sampled = 120000, true, true
	return r, err
}
