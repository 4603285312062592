package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sohoa-vn/sohoa/storage"
)

var _ storage.Stations = (*Store)(nil)

func (s *Store) ReportStation(ctx context.Context, account int64, r storage.StationReport) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		if a.ID == account {
			r.Dirs = slices.Clone(r.Dirs)
			s.reports[account] = r
			return nil
		}
	}
	return fmt.Errorf("report of station %d: %w", account, storage.ErrNotFound)
}

func (s *Store) Stations(ctx context.Context, agencies []string) ([]storage.Station, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []storage.Station
	for _, a := range s.accounts {
		if a.Role != storage.StationRole || agencies != nil && !slices.Contains(agencies, a.Agency) {
			continue
		}
		st := storage.Station{Account: *a}
		for _, t := range s.tokens {
			if t.AccountID == a.ID && t.UsedAt != nil && (st.LastUsed == nil || t.UsedAt.After(*st.LastUsed)) {
				st.LastUsed = cloneTime(t.UsedAt)
			}
		}
		if r, ok := s.reports[a.ID]; ok {
			r.Dirs = slices.Clone(r.Dirs)
			st.Report = &r
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b storage.Station) int { return strings.Compare(a.Account.Name, b.Account.Name) })
	return out, nil
}
