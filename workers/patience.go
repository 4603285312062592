package workers

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/sohoa-vn/sohoa/internal/fault"
)

// patiently runs fn until it succeeds, fails for a reason other than an absent dependency, the time
// until (on h.Clock) would pass, or ctx ends, waiting between tries from half a second up to five. An outage shorter than a task's time is
// thus invisible but for the delay: no attempt is spent, nothing is done twice (stages are idempotent,
// so running fn again is safe). A longer one goes back to Asynq's backoff with the last error.
func (h *Handlers) patiently(ctx context.Context, until time.Time, log *slog.Logger, what string, fn func(context.Context) error) error {
	const first, ceiling = 500 * time.Millisecond, 5 * time.Second
	delay, since := first, h.Clock.Now()
	for tries := 1; ; tries++ {
		err := fn(ctx)
		if err == nil {
			if tries > 1 {
				log.Info("dependency back", "step", what, "tries", tries, "waited", h.Clock.Now().Sub(since).Round(time.Millisecond).String())
			}
			return nil
		}
		if !errors.Is(err, fault.Unavailable) {
			return err
		}
		if tries == 1 || tries%10 == 0 {
			log.Warn("waiting for a dependency", "step", what, "tries", tries, "error", err)
		}
		if h.Clock.Now().Add(delay).After(until) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-h.Clock.After(delay):
		}
		delay = min(2*delay, ceiling)
	}
}
