package workers

import (
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// PayloadOf is the payload of a task of d's current run: the document, and the lane and agency whose
// queue its work waits in. Page and Gen are the caller's to set.
func PayloadOf(d storage.Document) pipeline.Payload {
	lane, err := pipeline.ParseLane(d.Lane)
	if err != nil {
		lane = pipeline.Counter // a lane this version does not know is served first rather than never
	}
	return pipeline.Payload{DocumentID: d.ID, Run: d.Run, Lane: lane, Agency: d.Agency}
}
