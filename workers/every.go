package workers

import (
	"context"
	"time"

	"github.com/sohoa-vn/sohoa/internal/clock"
)

// every runs pass at once, then every interval on clk, until ctx ends: the background components'
// loop. The first pass at start matters: after a restart, lost work is found without waiting an
// interval.
func every(ctx context.Context, clk clock.Clock, interval time.Duration, pass func(context.Context)) {
	for {
		pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-clk.After(interval):
		}
	}
}
