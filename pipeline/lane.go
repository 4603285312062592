package pipeline

import "fmt"

// Lane is how urgent a document's work is. A person waits at the counter for a counter upload; a
// backlog import or a station's batch can wait. Workers serve the lanes apart (the queue package), so
// bulk work never delays a citizen's paper, and within the bulk lane each agency gets its turn.
type Lane string

const (
	Counter Lane = "counter" // a person is waiting: uploads at the counter
	Bulk    Lane = "bulk"    // historical backlog (sohoa import), scanner stations' batches
)

// ParseLane returns the lane named s; "" is Counter, what every document was before lanes.
func ParseLane(s string) (Lane, error) {
	switch Lane(s) {
	case "", Counter:
		return Counter, nil
	case Bulk:
		return Bulk, nil
	}
	return "", fmt.Errorf("no lane %q (want %q or %q)", s, Counter, Bulk)
}
