package api

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// event is the part of an S3 event notification (as MinIO's webhook target posts it) that names
// the objects created.
type event struct {
	Records []struct {
		S3 struct {
			Bucket struct{ Name string } `json:"bucket"`
			Object struct{ Key string }  `json:"object"`
		} `json:"s3"`
	}
}

// inboxEvents receives the object store's notifications of objects created in the inbox. It answers
// 500 when an object could not be ingested, so that a store with a persistent event queue sends the
// event again; the sweep catches it in any case.
func (s *Server) inboxEvents(w http.ResponseWriter, r *http.Request) {
	if s.EventsToken == "" {
		writeError(w, http.StatusNotFound, codeNotificationsOff, "Thông báo từ kho lưu trữ chưa được bật.")
		return
	}
	if !bearer(r, s.EventsToken) {
		writeError(w, http.StatusUnauthorized, codeUnauthorized, "Sai mã xác thực.")
		return
	}
	var ev event
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&ev); err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Thông báo không đọc được: "+err.Error())
		return
	}
	status := http.StatusNoContent
	for _, rec := range ev.Records {
		if rec.S3.Bucket.Name != s.InboxBucket {
			continue
		}
		key, err := url.QueryUnescape(rec.S3.Object.Key) // S3 event keys are URL-encoded
		if err != nil {
			key = rec.S3.Object.Key
		}
		if err := s.Intake.Notified(r.Context(), key); err != nil {
			s.Log.Warn("inbox event not ingested; the sweep will retry", "key", key, "error", err)
			status = http.StatusInternalServerError
		}
	}
	w.WriteHeader(status)
}
