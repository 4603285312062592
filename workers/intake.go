package workers

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strings"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// apiPrefix is where API uploads wait in the inbox while they stream in. The inbox watcher leaves
// young objects under it alone, since the API ingests them itself; an old one is an upload whose
// request died half-way through registration, and the sweep takes it.
const apiPrefix = "api/"

// Intake turns arriving bytes into documents. All three ways in (the API, an S3 put that a
// notification reports, the periodic sweep) end in register, so a file is identified, stored and
// queued the same way whichever door it came through.
type Intake struct {
	Objects storage.Objects
	Records storage.Records
	Queue   Enqueuer
	Limits  scan.Limits
	Log     *slog.Logger
	// Agency receives what arrives in the inbox bucket, which carries no account, unless its key
	// names a station (s3setup.StationPrefix): that station's account and agency receive it.
	Agency string
	// Stations finds the station an inbox key names; nil: every inbox file is Agency's.
	Stations AccountFinder
	// Observe is told of every new document, for metrics; nil observes nothing.
	Observe Observer
}

// AccountFinder finds an account by name (storage.Accounts).
type AccountFinder interface {
	Account(ctx context.Context, name string) (storage.Account, error)
}

// stationsPrefix is where scanner stations with S3 users of their own put their files, each under
// its name (s3setup.StationPrefix).
const stationsPrefix = "stations/"

// From is who an upload comes from: the agency receiving it and the account sending it, the lane
// its work goes in, and, for the metrics, the way it came (ChannelCounter…; "" is ChannelAPI) and
// the station's account name when a station sent it.
type From struct {
	Agency  string
	Account int64
	Lane    pipeline.Lane // "" is the counter's
	Channel string
	Station string
}

func (f From) channel() string {
	if f.Channel == "" {
		return ChannelAPI
	}
	return f.Channel
}

// Receive streams an upload into the inbox and ingests it. It refuses, with a *scan.InputError and
// before storing anything, what is plainly not a scan: an empty file or a type sohoa does not read.
// It returns the document and whether it is new; the same bytes received twice give one document.
func (in *Intake) Receive(ctx context.Context, r io.Reader, filename string, from From) (storage.Document, bool, error) {
	br := bufio.NewReaderSize(r, 4096)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return storage.Document{}, false, fmt.Errorf("read upload %q: %w", filename, err)
	}
	format, err := scan.Sniff(head)
	if err != nil {
		return storage.Document{}, false, err
	}
	key := apiPrefix + uuid.NewString() + "/" + cleanName(filename)
	h := sha256.New()
	limited := &limitReader{r: io.TeeReader(br, h), left: in.Limits.MaxBytes}
	info, err := in.Objects.Put(ctx, storage.Inbox, key, limited, -1, mediaType(format))
	if limited.over {
		in.Objects.Delete(context.WithoutCancel(ctx), storage.Inbox, key)
		return storage.Document{}, false, &scan.InputError{Code: scan.CodeTooLarge,
			Message: fmt.Sprintf("Tệp vượt giới hạn %d MB.", in.Limits.MaxBytes>>20)}
	}
	if err != nil {
		return storage.Document{}, false, fmt.Errorf("store upload %q: %w", filename, err)
	}
	return in.register(ctx, key, hex.EncodeToString(h.Sum(nil)), info.Size, filename, "api", mediaType(format), from)
}

// IngestObject ingests an object that appeared in the inbox under key, reported by source
// ("notification" or "sweep"). Whatever it holds becomes a document, so that a bad file is visibly
// failed with its reason rather than left unexplained in the bucket.
func (in *Intake) IngestObject(ctx context.Context, key, source string) (storage.Document, bool, error) {
	r, err := in.Objects.Get(ctx, storage.Inbox, key)
	if err != nil {
		return storage.Document{}, false, err
	}
	defer r.Close()
	h := sha256.New()
	br := bufio.NewReader(io.TeeReader(r, h))
	head, _ := br.Peek(512)
	format, _ := scan.Sniff(head) // a bad type fails at the ingest stage, with its reason recorded
	size, err := io.Copy(io.Discard, br)
	if err != nil {
		return storage.Document{}, false, fmt.Errorf("read inbox object %s: %w", key, err)
	}
	from, err := in.sender(ctx, key)
	if err != nil {
		return storage.Document{}, false, err
	}
	return in.register(ctx, key, hex.EncodeToString(h.Sum(nil)), size, path.Base(key), source+":"+key, mediaType(format), from)
}

// sender is who put the inbox object key: the station its prefix names, when that is a live
// station account, else nobody in particular (the deployment's agency). A key naming no such
// station is still ingested, never dropped, and the operators are told.
func (in *Intake) sender(ctx context.Context, key string) (From, error) {
	rest, ok := strings.CutPrefix(key, stationsPrefix)
	name, _, nested := strings.Cut(rest, "/")
	anyone := From{Agency: in.Agency, Channel: ChannelS3}
	if !ok || !nested || in.Stations == nil {
		return anyone, nil
	}
	acc, err := in.Stations.Account(ctx, name)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return From{}, err
	case acc.Role == storage.StationRole && !acc.Disabled:
		return From{Agency: acc.Agency, Account: acc.ID, Lane: pipeline.Bulk, Channel: ChannelS3, Station: acc.Name}, nil
	}
	in.Log.Warn("an inbox file names no live station account; received for the deployment's agency", "key", key, "station", name)
	return anyone, nil
}

// register files the inbox object under its SHA-256, records the document and queues its first stage,
// then clears the inbox. Each step can be repeated: a crash anywhere leaves the object in the inbox,
// and the sweep brings it here again.
func (in *Intake) register(ctx context.Context, inboxKey, sha string, size int64, filename, source, media string, from From) (storage.Document, bool, error) {
	orig := originalKey(sha)
	if _, err := in.Objects.Stat(ctx, storage.Work, orig); errors.Is(err, storage.ErrNotFound) {
		if err := in.Objects.Copy(ctx, storage.Inbox, inboxKey, storage.Work, orig); err != nil {
			return storage.Document{}, false, err
		}
	} else if err != nil {
		return storage.Document{}, false, err
	}
	doc, created, err := in.Records.CreateDocument(ctx, storage.NewDocument{
		ID: uuid.NewString(), SHA256: sha, OriginalKey: orig, Filename: filename,
		Source: source, Size: size, MediaType: media, Agency: from.Agency, UploadedBy: from.Account, Lane: string(from.Lane),
	})
	if err != nil {
		return storage.Document{}, false, err
	}
	if created {
		in.Log.Info("document received", "document", doc.ID, "source", source, "bytes", size, "sha256", sha)
		observer(in.Observe).Received(from.channel(), from.Station)
		if _, err := in.Queue.Enqueue(ctx, pipeline.First, PayloadOf(doc)); err != nil {
			// Recorded but not queued: the reconciler finds it among the pending documents.
			in.Log.Warn("could not enqueue ingest", "document", doc.ID, "error", err)
		}
	}
	if err := in.Objects.Delete(ctx, storage.Inbox, inboxKey); err != nil {
		in.Log.Warn("could not clear the inbox", "key", inboxKey, "error", err)
	}
	return doc, created, nil
}

// limitReader reads at most left bytes and notes whether the source had more.
type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells "exactly the limit" from "over it".
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.over = true
			return 0, errors.New("upload over the size limit")
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// cleanName keeps an uploaded file name usable as the last part of an object key.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || name == "" {
		return "upload"
	}
	return name
}

func mediaType(f scan.Format) string {
	switch f {
	case scan.PDF:
		return "application/pdf"
	case "":
		return ""
	}
	return "image/" + string(f)
}

// Notified ingests an object that a store notification reported in the inbox. API uploads still
// streaming in are skipped: the API ingests them itself. An object already gone was ingested by the
// sweep or an earlier notification, which is not an error.
func (in *Intake) Notified(ctx context.Context, key string) error {
	if strings.HasPrefix(key, apiPrefix) {
		return nil
	}
	_, _, err := in.IngestObject(ctx, key, "notification")
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}
