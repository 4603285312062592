package workers

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/memory"
)

// An inbox file under stations/NAME/ is that station's batch when NAME is a live station account: its
// account uploaded it, for its agency. Any other key, or a name that is no live station, is still
// received, for the deployment's agency.
func TestInboxFilesOfStations(t *testing.T) {
	r := newRig(t)
	store := r.records.Records.(*memory.Store)
	ctx := t.Context()
	const deployment, ward = "000.00.53.H26", "000.01.53.H26"
	must(t, store.EnsureAgency(ctx, deployment, "UBND quận Lê Chân", ""))
	must(t, store.EnsureAgency(ctx, ward, "UBND phường Máy Chai", deployment))
	account := func(name, role string, disabled bool) int64 {
		a, err := store.CreateAccount(ctx, storage.NewAccount{Name: name, Role: role, Agency: ward})
		must(t, err)
		if disabled {
			must(t, store.Disable(ctx, name))
		}
		return a.ID
	}
	live := account("may-quet-1", storage.StationRole, false)
	account("may-quet-cu", storage.StationRole, true)
	account("lan", "clerk", false)
	seen := &recorder{}
	in := &Intake{Objects: r.objects, Records: r.records, Queue: r.queue, Limits: r.h.Limits, Log: r.h.Log,
		Agency: deployment, Stations: store, Observe: seen}

	for i, c := range []struct {
		key      string
		agency   string
		uploader int64
	}{
		{"stations/may-quet-1/scan-001.png", ward, live},
		{"stations/may-quet-1/2026-12-01/scan-002.png", ward, live},
		{"stations/may-quet-cu/scan-003.png", deployment, 0}, // disabled
		{"stations/lan/scan-004.png", deployment, 0},         // not a station
		{"stations/khong-co/scan-005.png", deployment, 0},    // no such account
		{"stations/scan-006.png", deployment, 0},             // names no station
		{"scanner/scan-007.png", deployment, 0},
	} {
		seen.reset()
		data := scanPNG(t, i)
		if _, err := r.objects.Put(ctx, storage.Inbox, c.key, bytes.NewReader(data), int64(len(data)), "image/png"); err != nil {
			t.Fatal(err)
		}
		doc, created, err := in.IngestObject(ctx, c.key, "sweep")
		if err != nil || !created {
			t.Fatalf("%s: %v, created %v", c.key, err, created)
		}
		// A live station's files are its batch: the bulk lane; the rest as before lanes.
		lane := "counter"
		if c.uploader != 0 {
			lane = "bulk"
		}
		if doc.Agency != c.agency || doc.UploadedBy != c.uploader || doc.Source != "sweep:"+c.key || doc.Lane != lane {
			t.Errorf("%s: agency %s, uploaded by %d, source %s, lane %s; want %s, %d, %s", c.key, doc.Agency, doc.UploadedBy, doc.Source, doc.Lane, c.agency, c.uploader, lane)
		}
		want := "received s3 "
		if c.uploader != 0 {
			want += "may-quet-1"
		}
		seen.want(t, want)
	}
	if !strings.Contains(r.logs.String(), "khong-co") {
		t.Error("the operators were not told of a key naming no station")
	}
}
