package storage

import "math"

// The time from a dossier's receipt to its first paper signed is rolled up as a histogram
// (indicator_rollup's bucket, to_signed_bucket in SQL): bucket 0 holds [0, 1 s) and every time
// under it (a paper signed before its dossier was received), bucket b >= 1 holds
// [2^((b-1)/16), 2^(b/16)) seconds. A percentile read from the buckets lies in the same bucket as
// the exact one (percentile_cont over the facts), so for a second or more it is within
// ToSignedError of it, relatively; under a second, within a second.
const bucketsPerDoubling = 16

// ToSignedError bounds the relative error of a median or 95th percentile of the time to a signed
// paper read from the rollup, for times of a second or more: 2^(1/16) - 1, about 4.4 %.
var ToSignedError = math.Exp2(1.0/bucketsPerDoubling) - 1

// toSignedBounds is bucket b's range of seconds, [lo, hi).
func toSignedBounds(b int) (lo, hi float64) {
	if b <= 0 {
		return 0, 1
	}
	return math.Exp2(float64(b-1) / bucketsPerDoubling), math.Exp2(float64(b) / bucketsPerDoubling)
}

// histogram counts times per bucket, in the order of the buckets.
type histogram []bucketCount

type bucketCount struct{ bucket, n int }

func (h histogram) total() int {
	n := 0
	for _, c := range h {
		n += c.n
	}
	return n
}

// percentile estimates percentile_cont(p) of the times counted: it interpolates between the two
// ranks around p as percentile_cont does, each rank's value estimated inside its bucket. Nil when
// nothing is counted.
func (h histogram) percentile(p float64) *float64 {
	n := h.total()
	if n == 0 {
		return nil
	}
	pos := p * float64(n-1)
	lo := int(math.Floor(pos))
	v := h.rank(lo)
	if frac := pos - float64(lo); frac > 0 {
		v += (h.rank(lo+1) - v) * frac
	}
	return &v
}

// rank estimates the value of the k-th smallest time (from 0): a bucket's times are taken as spread
// evenly over it, on a log scale as the buckets are (evenly in bucket 0).
func (h histogram) rank(k int) float64 {
	for _, c := range h {
		if k >= c.n {
			k -= c.n
			continue
		}
		lo, hi := toSignedBounds(c.bucket)
		f := (float64(k) + 0.5) / float64(c.n)
		if c.bucket <= 0 {
			return lo + (hi-lo)*f
		}
		return lo * math.Pow(hi/lo, f)
	}
	_, hi := toSignedBounds(h[len(h)-1].bucket)
	return hi
}
