package queue

import (
	"slices"
	"strings"

	"github.com/sohoa-vn/sohoa/pipeline"
)

// Names are a deployment's Asynq queues. The counter lane has two: cheap stages go to Fast, which has
// the larger weight, so a long dossier's OCR cannot stall the quick steps of everyone else's documents
// (head-of-line blocking, a common complaint about peers). The bulk lane has such a pair for every
// agency, named Bulk + agency + ":fast" or ":heavy", served apart by BulkServer with equal weights per
// agency, so that one agency's backlog of a million pages never starves another's hundred.
type Names struct{ Fast, Heavy, Bulk string }

// NamesOf returns the queues of deployment.
func NamesOf(deployment string) Names {
	return Names{Fast: deployment + ":fast", Heavy: deployment + ":heavy", Bulk: deployment + ":bulk:"}
}

// Weights returns the weights of the counter lane's queues.
func (n Names) Weights() map[string]int { return map[string]int{n.Fast: 6, n.Heavy: 4} }

// noAgency stands for the agency of a bulk task that names none (a task queued before lanes).
const noAgency = "-"

// For returns the queue of a task of type typ with payload p.
func (n Names) For(typ string, p pipeline.Payload) string {
	heavy := typ == pipeline.OCR.TaskType() || typ == pipeline.PDFA.TaskType() || typ == pipeline.PageTaskType
	if p.Lane != pipeline.Bulk {
		if heavy {
			return n.Heavy
		}
		return n.Fast
	}
	agency := p.Agency
	if agency == "" {
		agency = noAgency
	}
	if heavy {
		return n.Bulk + agency + ":heavy"
	}
	return n.Bulk + agency + ":fast"
}

// BulkWeights returns the bulk lane's queues among all (every queue Redis knows) with their weights:
// within an agency the cheap stages first, as in the counter lane; every agency alike.
func (n Names) BulkWeights(all []string) map[string]int {
	out := map[string]int{}
	for _, q := range all {
		rest, ok := strings.CutPrefix(q, n.Bulk)
		switch {
		case !ok:
		case strings.HasSuffix(rest, ":fast"):
			out[q] = 2
		case strings.HasSuffix(rest, ":heavy"):
			out[q] = 1
		}
	}
	return out
}

// sameQueues reports whether a and b hold the same queue names.
func sameQueues(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for q := range a {
		if _, ok := b[q]; !ok {
			return false
		}
	}
	return true
}

// sortedNames lists the queues of w, for logs.
func sortedNames(w map[string]int) []string {
	out := make([]string, 0, len(w))
	for q := range w {
		out = append(out, q)
	}
	slices.Sort(out)
	return out
}
