package memory_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/memory"
	"github.com/sohoa-vn/sohoa/storage/storagetest"
)

func TestRecords(t *testing.T) {
	storagetest.Records(t, func(*testing.T) storage.Records { return memory.New() })
}

func TestDossiers(t *testing.T) {
	storagetest.Dossiers(t, func(*testing.T) (storage.Records, storage.Dossiers) {
		s := memory.New()
		return s, s
	})
}

func TestObjects(t *testing.T) {
	storagetest.Objects(t, storagetest.ObjectsBackend{
		Open: func(*testing.T) storage.Objects { return memory.NewObjects() },
		BeginUpload: func(_ *testing.T, o storage.Objects, b storage.Bucket, key string) {
			o.(*memory.Objects).BeginUpload(b, key, time.Now())
		},
	})
}

// TestObjectsNeedEnsure: as on a real server, the buckets exist only once Ensure made them, so a
// unit test that forgets Ensure fails as the program would.
func TestObjectsNeedEnsure(t *testing.T) {
	o := memory.NewObjects()
	if _, err := o.Put(t.Context(), storage.Inbox, "k", strings.NewReader("x"), 1, ""); err == nil {
		t.Error("Put before Ensure succeeded")
	}
	if _, err := o.Get(t.Context(), storage.Inbox, "k"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get before Ensure = %v, want ErrNotFound", err)
	}
}

func TestAccounts(t *testing.T) {
	storagetest.Accounts(t, func(*testing.T) storagetest.Store { return memory.New() })
}

func TestTamperedTrailIsFound(t *testing.T) {
	s := memory.New()
	for _, action := range []string{"document.file", "document.text", "search"} {
		if err := s.Log(t.Context(), storage.Event{Actor: "lan", Action: action}); err != nil {
			t.Fatal(err)
		}
	}
	s.Tamper(2, "document.pages")
	var broken *storage.BrokenChain
	if n, err := storage.VerifyTrail(t.Context(), s); !errors.As(err, &broken) || broken.Event != 2 || n != 1 {
		t.Errorf("VerifyTrail after event 2 was changed = %d, %v; want it named", n, err)
	}
}
