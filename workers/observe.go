package workers

import "time"

// Observer is told what the pipeline does, for the operators' metrics (internal/metrics implements
// it for Prometheus). The handlers and the intake call it on their own goroutines, after the fact
// and never on the way of the work: an implementation is safe for concurrent use, cheap, and never
// blocks. A nil Observer in Handlers or Intake observes nothing (NopObserver).
type Observer interface {
	// StageDone: an attempt at the stage did its work in d (for the OCR stage, the whole stage from
	// its start to its last page read).
	StageDone(stage string, d time.Duration)
	// StageFailed: an attempt at the stage failed after d with the stable reason code; final when
	// the document failed with it, otherwise the stage is retried.
	StageFailed(stage, code string, final bool, d time.Duration)
	// PageRead: Tesseract read a page in d, with mean word confidence 0–100.
	PageRead(d time.Duration, confidence float64)
	// Finished: a document ended its run with the status (storage.StatusDone, StatusFailed, StatusSplit).
	Finished(status string)
	// Archived: a signed file of size bytes was written to the archive.
	Archived(bytes int64)
	// Received: an upload became a new document, through channel (From.Channel) from station (the
	// station account's name, "" for anyone else).
	Received(channel, station string)
}

// NopObserver observes nothing.
type NopObserver struct{}

func (NopObserver) StageDone(string, time.Duration)                 {}
func (NopObserver) StageFailed(string, string, bool, time.Duration) {}
func (NopObserver) PageRead(time.Duration, float64)                 {}
func (NopObserver) Finished(string)                                 {}
func (NopObserver) Archived(int64)                                  {}
func (NopObserver) Received(string, string)                         {}

func observer(o Observer) Observer {
	if o == nil {
		return NopObserver{}
	}
	return o
}

// The channels an upload arrives through, as From.Channel and the uploads metric name them.
const (
	ChannelCounter = "counter" // a person (or another system) through the API: the counter's uploads
	ChannelStation = "station" // a scanner station's account through the API (sohoa-station)
	ChannelImport  = "import"  // a bulk upload through the API by anyone but a station: sohoa import's backlog
	ChannelS3      = "s3"      // a put into the inbox bucket, found by a notification or the sweep
	ChannelAPI     = "api"     // an API upload whose caller did not say (From.Channel empty)
)
