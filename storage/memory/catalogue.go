package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/sohoa-vn/sohoa/storage"
)

var _ storage.Catalogue = (*Store)(nil)

func (s *Store) ImportAgencies(ctx context.Context, agencies []storage.Agency) error {
	ordered, err := storage.ParentsFirst(agencies)
	if err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	for _, a := range ordered { // all or nothing: check every parent before changing anything
		_, known := s.agencies[a.Parent]
		inFile := slices.ContainsFunc(ordered, func(b storage.Agency) bool { return b.ID == a.Parent })
		if a.Parent != "" && !known && !inFile {
			return fmt.Errorf("agency %s: parent %s: %w", a.ID, a.Parent, storage.ErrNotFound)
		}
	}
	for _, a := range ordered {
		s.agencies[a.ID] = a.Name
		if a.Parent == "" {
			delete(s.parents, a.ID)
		} else {
			s.parents[a.ID] = a.Parent
		}
		s.agencyInfo[a.ID] = storage.Agency{Level: a.Level, Placeholder: a.Placeholder}
	}
	return nil
}

func (s *Store) ImportProcedures(ctx context.Context, procedures []storage.Procedure) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	for _, p := range procedures {
		s.procedures[p.Code] = p.Name
		p.Papers = slices.Clone(p.Papers)
		s.catalogue[p.Code] = p
	}
	return nil
}
