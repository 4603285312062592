package storage

// SetSearchLimits makes p's searches count exactly up to counted, rank in blocks of block, go dense
// past denseAt expected matches and read windows of window documents: the same paths as at a
// million documents, on a few hundred.
func SetSearchLimits(p *Postgres, counted, block, denseAt, window int) {
	p.limits = searchLimits{counted: counted, block: block, denseAt: float64(denseAt), bound: 3 * counted, exactRows: 3 * counted,
		window: window, maxWindow: 16 * window}
}
