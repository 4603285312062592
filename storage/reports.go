package storage

import (
	"context"
	"time"
)

// Groupings of a report's rows.
const (
	ByAgency    = "agency"    // each agency of the tree, its own dossiers and those under it (rolled up)
	ByLevel     = "level"     // the agencies' levels
	ByProcedure = "procedure" // the procedures
	ByMonth     = "month"     // the months of receipt, in Vietnam
)

// IndicatorQuery is a report of the plan's indicators: dossiers received in [From, To) by Agency and
// the agencies under it, grouped By one of the groupings.
type IndicatorQuery struct {
	From, To time.Time
	Agency   string
	By       string
	// Exact reads one facts row per dossier even over whole days, for times exact to the second
	// instead of within ToSignedError; about ten times slower over a province's year.
	Exact bool
}

// IndicatorRow is one group of a report: what was received and how much of it was digitized and
// reused. Rates are the caller's to compute, beside the targets of Target.
type IndicatorRow struct {
	Agency, AgencyName, Level string // ByAgency: the agency and its level; ByLevel: the level; else empty
	Procedure, ProcedureName  string // ByProcedure
	Period                    string // ByMonth: YYYY-MM; otherwise the query's period
	Dossiers                  int    // received
	Digitized                 int    // with at least one paper or result digitized (QĐ 766, 4.2)
	WithResults               int    // with a result attached
	ResultsSigned             int    // with a result digitized and signed (4.1)
	Reused                    int    // with at least one paper reused from the store (4.3)
	Papers, PapersSigned      int    // components, and those digitized
	Pages                     int    // pages of what was digitized
	PagesFlagged              int    // of those, pages the OCR flagged for a person to check
	// Seconds from receipt to the first paper handed in being signed: median and 95th percentile over
	// the dossiers that have one; nil when none has. Over whole days (the rollup), estimates within
	// ToSignedError of the exact figures (see tosigned.go); otherwise exact.
	ToSignedP50, ToSignedP95 *float64
}

// Target is the plan's target (a fraction of 1) for an indicator in a year at a level.
type Target struct {
	Year             int
	Level, Indicator string // indicator: digitization, reuse or results
	Value            float64
}

// Reports reads the plan's indicators, set-based. Errors as for Records; ErrNotFound for an unknown
// agency.
type Reports interface {
	Indicators(ctx context.Context, q IndicatorQuery) ([]IndicatorRow, error)
	// Targets returns the targets of year, every level and indicator.
	Targets(ctx context.Context, year int) ([]Target, error)
}

// Indicators with targets.
const (
	IndicatorDigitization = "digitization" // dossiers digitized (QĐ 766, 4.2)
	IndicatorReuse        = "reuse"        // dossiers with a paper reused instead of handed in again (4.3)
	IndicatorResults      = "results"      // results digitized and signed (4.1)
)

// DefaultTargets are the plan's targets for year (Kế hoạch 110/KH-UBND of Hải Phòng on Quyết định
// 468/QĐ-TTg, and Quyết định 766/QĐ-TTg's full marks): results digitized at least 30, 20 and 15 %
// for departments, districts and communes in 2021 (the province's own office as a department),
// then 20 points more a year up to 100 %; dossiers digitized 80 % (766's full marks), 100 % from
// 2025 (the plan's "every settled dossier"); reuse 30 % in 2022 and 80 % from 2023. Level "" is
// every level.
func DefaultTargets(year int) []Target {
	var out []Target
	if year >= 2021 {
		for _, l := range []struct {
			level string
			first float64
		}{{LevelProvince, 0.30}, {LevelDepartment, 0.30}, {LevelDistrict, 0.20}, {LevelCommune, 0.15}} {
			out = append(out, Target{Year: year, Level: l.level, Indicator: IndicatorResults, Value: min(1, l.first+0.2*float64(year-2021))})
		}
		digitization := 0.8
		if year >= 2025 {
			digitization = 1
		}
		out = append(out, Target{Year: year, Indicator: IndicatorDigitization, Value: digitization})
	}
	switch {
	case year >= 2023:
		out = append(out, Target{Year: year, Indicator: IndicatorReuse, Value: 0.8})
	case year == 2022:
		out = append(out, Target{Year: year, Indicator: IndicatorReuse, Value: 0.3})
	}
	return out
}

// TargetOf returns the target of indicator at level among targets: the level's own, else every
// level's; false when there is none.
func TargetOf(targets []Target, indicator, level string) (float64, bool) {
	var all *Target
	for i, t := range targets {
		switch {
		case t.Indicator != indicator:
		case t.Level == level:
			return t.Value, true
		case t.Level == "":
			all = &targets[i]
		}
	}
	if all == nil {
		return 0, false
	}
	return all.Value, true
}
