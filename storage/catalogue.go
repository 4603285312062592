package storage

import (
	"context"
	"fmt"
	"slices"
)

// Agency levels, as the plan's targets name them.
const (
	LevelProvince   = "tinh"
	LevelDepartment = "so"
	LevelDistrict   = "huyen"
	LevelCommune    = "xa"
)

// Levels lists the agency levels from the top.
func Levels() []string { return []string{LevelProvince, LevelDepartment, LevelDistrict, LevelCommune} }

// Catalogue loads the province's tree of agencies and the procedures it settles. Errors as for
// Accounts; an import is all or nothing.
type Catalogue interface {
	// ImportAgencies records the agencies (new or changed: name, parent, level, placeholder). Each
	// parent is one of them or an agency already known; else ErrNotFound, and nothing is changed.
	ImportAgencies(ctx context.Context, agencies []Agency) error
	// ImportProcedures records the procedures (new or changed).
	ImportProcedures(ctx context.Context, procedures []Procedure) error
}

// ParentsFirst orders agencies so that each comes after its parent when that is among them, as a
// store that checks parents on every insert needs; a cycle is an error.
func ParentsFirst(agencies []Agency) ([]Agency, error) {
	byID := map[string]Agency{}
	for _, a := range agencies {
		byID[a.ID] = a
	}
	out := make([]Agency, 0, len(agencies))
	state := map[string]int{} // 1 visiting, 2 placed
	var visit func(a Agency) error
	visit = func(a Agency) error {
		switch state[a.ID] {
		case 1:
			return fmt.Errorf("agency %s is its own ancestor", a.ID)
		case 2:
			return nil
		}
		state[a.ID] = 1
		if p, ok := byID[a.Parent]; ok && a.Parent != "" {
			if err := visit(p); err != nil {
				return err
			}
		}
		state[a.ID] = 2
		out = append(out, a)
		return nil
	}
	for _, a := range agencies {
		if err := visit(a); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ValidLevel reports whether level is one of Levels, or "" (unknown).
func ValidLevel(level string) bool { return level == "" || slices.Contains(Levels(), level) }
