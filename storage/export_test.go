package storage

import "context"

// IndicatorsFromFacts is the report read from the facts whatever the period, for the tests that
// hold the rollup to it.
func (p *Postgres) IndicatorsFromFacts(ctx context.Context, q IndicatorQuery) ([]IndicatorRow, error) {
	g := indicatorGroups[q.By]
	if _, err := p.Subtree(ctx, q.Agency); err != nil {
		return nil, err
	}
	return p.indicatorsFromFacts(ctx, q, g.key, g.from, g.group)
}
