package queue

import (
	"testing"

	"github.com/sohoa-vn/sohoa/pipeline"
)

// Every queue a deployment's tasks go to, in either lane and for any agency, is one OfDeployment
// recognises as its own, and none is another deployment's.
func TestOfDeploymentKnowsEveryQueue(t *testing.T) {
	n := NamesOf("tinh-a")
	var names []string
	for name := range n.Weights() {
		names = append(names, name)
	}
	for _, lane := range []pipeline.Lane{pipeline.Counter, pipeline.Bulk} {
		for _, typ := range []string{pipeline.Ingest.TaskType(), pipeline.OCR.TaskType(), pipeline.PageTaskType} {
			names = append(names, n.For(typ, pipeline.Payload{Lane: lane, Agency: "000.00.53.H26"}))
		}
	}
	for _, name := range names {
		if !OfDeployment("tinh-a", name) {
			t.Errorf("queue %q of tinh-a is not recognised as tinh-a's", name)
		}
		if OfDeployment("tinh", name) || OfDeployment("tinh-a-b", name) {
			t.Errorf("queue %q of tinh-a is taken for another deployment's", name)
		}
	}
}
