package api

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// errTooSlow is what a body cut by its rate floor reads as.
var errTooSlow = errors.New("request body slower than the minimum upload rate")

// rateFloor is a request body that must bring at least min bytes in every window of time the
// server spends waiting for it; a slower one is cut by the connection's read deadline, which a
// silent client cannot hold off. Only time inside Read counts: while the handler is busy (writing
// to the object store), the client is not to blame.
type rateFloor struct {
	body   io.ReadCloser
	rc     *http.ResponseController
	min    int64
	window time.Duration

	got    int64         // bytes in this window
	waited time.Duration // time spent in Read in this window
	cut    bool
	ended  bool // the body returned an error or its end
}

// newRateFloor returns body under a floor of rate bytes per second over window, or nil when w's
// connection has no read deadline to cut it with (an httptest recorder).
func newRateFloor(w http.ResponseWriter, body io.ReadCloser, rate int64, window time.Duration) *rateFloor {
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(window)); err != nil {
		return nil
	}
	return &rateFloor{body: body, rc: rc, min: max(1, rate*int64(window)/int64(time.Second)), window: window}
}

func (f *rateFloor) Read(p []byte) (int, error) {
	if f.cut {
		return 0, errTooSlow
	}
	if f.ended {
		// At its end the server reads the connection in the background, to see the client go; a
		// deadline set now would cut that read and cancel the request's context.
		return f.body.Read(p)
	}
	start := time.Now()
	// The deadline replaces the server's ReadTimeout for this body: the floor, not the size, decides.
	if err := f.rc.SetReadDeadline(start.Add(f.window - f.waited)); err != nil {
		return 0, err
	}
	n, err := f.body.Read(p)
	f.waited += time.Since(start)
	if f.got += int64(n); f.got >= f.min {
		f.got, f.waited = 0, 0
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		f.cut = true
		return n, errTooSlow
	}
	f.ended = err != nil
	return n, err
}

func (f *rateFloor) Close() error { return f.body.Close() }

// cutAnswer answers a request whose body its floor cut with why, whatever its handler answers: the
// handler sees only a failed read, and would blame the upload.
type cutAnswer struct {
	http.ResponseWriter
	floor    *rateFloor
	answered bool // the handler wrote its own answer before any cut
	replaced bool
}

func (w *cutAnswer) WriteHeader(code int) {
	if w.replace() {
		return
	}
	w.answered = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *cutAnswer) Write(b []byte) (int, error) {
	if w.replace() {
		return len(b), nil // the handler's account of the failed read is dropped
	}
	w.answered = true
	return w.ResponseWriter.Write(b)
}

// replace writes the cut's answer once, if the body was cut before the handler answered, and
// reports whether the handler's own answer is to be dropped.
func (w *cutAnswer) replace() bool {
	if !w.floor.cut || w.answered {
		return false
	}
	if !w.replaced {
		w.replaced = true
		w.Header().Set("Connection", "close") // the rest of the body is not coming
		writeError(w.ResponseWriter, http.StatusRequestTimeout, codeUploadTooSlow,
			"Tệp gửi lên quá chậm nên máy chủ đã ngắt; kiểm tra đường truyền rồi gửi lại.")
	}
	return true
}

// finish answers for a cut body whose handler wrote nothing.
func (w *cutAnswer) finish() { w.replace() }

func (w *cutAnswer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
