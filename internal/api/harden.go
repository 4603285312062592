package api

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Guard is what the HTTP interface refuses before any handler runs, and the headers it adds to every
// answer. Its zero value sends the security headers and checks state-changing requests (their
// Origin against their Host, their content type); the Host allow-list, the upload cap and the rate
// floor are off until set, as they are by cmd/sohoa from the configuration.
//
// State-changing is every method but GET, HEAD and OPTIONS (in practice POST, PUT, PATCH, DELETE).
// Such a request
//   - with an Origin header must come from PublicURL's origin, or, with no PublicURL (development),
//     from the origin of its own Host: a page elsewhere cannot post with a person's browser (CSRF);
//   - without one must not say it is cross-site or same-site in Sec-Fetch-Site: browsers send an
//     Origin on every POST, so no Origin means a program (scanner stations, `sohoa upload`, the
//     object store's webhook), which a page cannot make a browser be;
//   - with a body must send it as application/json, or multipart/form-data to the upload routes:
//     the content types a page elsewhere can post without asking (text/plain, form encodings) are
//     refused, and the webhook of MinIO sends application/json. A request without a body needs no
//     content type (POST …/retry).
type Guard struct {
	// PublicURL is the origin people reach sohoa at; nil in development.
	PublicURL *url.URL
	// Hosts are the names answered besides loopback ones (localhost, 127.0.0.0/8, ::1), which no one
	// else can make a browser send; nil turns the allow-list off.
	Hosts []string
	// TLS says sohoa serves HTTPS itself; with an https PublicURL (TLS ended by a proxy), cookies are
	// Secure either way.
	TLS bool

	// MaxUploads is how many uploads are received at once (0: no cap); more are answered 503.
	MaxUploads int
	// MinRate (bytes per second) is what a request body must keep up over MinRateWindow while the
	// server waits for it; a slower one is cut with 408 (0: no floor). Time the server spends on
	// its side (writing to the object store) does not count.
	MinRate       int64
	MinRateWindow time.Duration
}

// The codes of the guard's refusals.
const (
	codeBadHost          = "bad_host"               // 421: the Host is not one sohoa answers to
	codeBadOrigin        = "bad_origin"             // 403: a state-changing request from another site
	codeUnsupportedMedia = "unsupported_media_type" // 415: a body neither JSON nor, for uploads, multipart
	codeTooManyUploads   = "too_many_uploads"       // 503: SOHOA_MAX_CONCURRENT_UPLOADS are being received
	codeUploadTooSlow    = "upload_too_slow"        // 408: the body came slower than SOHOA_UPLOAD_MIN_RATE_KB
)

// retryUploadAfter is what Retry-After says to an upload refused for the cap: an upload of a few MB
// takes seconds on a counter's link.
const retryUploadAfter = "5"

// uploadRoutes are the patterns that take multipart uploads (and count toward Guard.MaxUploads).
func uploadRoutes() []string {
	return []string{"POST /api/v1/documents", "POST /api/v1/dossiers/{id}/documents"}
}

// securityHeaders go on every answer. The page loads its script and style sheet from sohoa itself
// and has no inline script or style attribute, so the policy allows nothing else; no one may frame
// it (clickjacking), and no address (some carry a search or an owner's ID) leaves as a Referer.
func securityHeaders() [][2]string {
	return [][2]string{{"Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "no-referrer"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
	}
}

// harden wraps the routes in mux with s.Guard's checks.
func (s *Server) harden(mux *http.ServeMux) http.Handler {
	g := s.Guard
	var uploading chan struct{}
	if g.MaxUploads > 0 {
		uploading = make(chan struct{}, g.MaxUploads)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, h := range securityHeaders() {
			w.Header().Set(h[0], h[1])
		}
		if g.Secure() {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !g.hostAllowed(r.Host) {
			s.Log.Warn("http refused: host not allowed; add it to SOHOA_ALLOWED_HOSTS if it is ours", "host", r.Host, "method", r.Method)
			writeError(w, http.StatusMisdirectedRequest, codeBadHost, "Máy chủ không phục vụ tên miền này.")
			return
		}
		_, pattern := mux.Handler(r)
		upload := slices.Contains(uploadRoutes(), pattern)
		if changesState(r.Method) {
			if why := g.crossSite(r); why != "" {
				s.Log.Warn("http refused: cross-site request", "reason", why, "origin", r.Header.Get("Origin"), "method", r.Method, "route", pattern)
				writeError(w, http.StatusForbidden, codeBadOrigin, "Yêu cầu không xuất phát từ trang của hệ thống nên không được thực hiện.")
				return
			}
			if !mediaAllowed(r, upload) {
				want := "application/json"
				if upload {
					want = "multipart/form-data"
				}
				writeError(w, http.StatusUnsupportedMediaType, codeUnsupportedMedia, "Nội dung phải gửi dưới dạng "+want+".")
				return
			}
		}
		if upload && uploading != nil {
			select {
			case uploading <- struct{}{}:
				defer func() { <-uploading }()
			default:
				w.Header().Set("Retry-After", retryUploadAfter)
				writeError(w, http.StatusServiceUnavailable, codeTooManyUploads, "Máy chủ đang nhận nhiều tệp cùng lúc; vui lòng gửi lại sau ít giây.")
				return
			}
		}
		if g.MinRate > 0 && r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			if f := newRateFloor(w, r.Body, g.MinRate, g.MinRateWindow); f != nil {
				r.Body = f
				w = &cutAnswer{ResponseWriter: w, floor: f}
				defer w.(*cutAnswer).finish()
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// Secure says whether browsers reach sohoa over HTTPS, so its cookies must be Secure.
func (g Guard) Secure() bool {
	return g.TLS || (g.PublicURL != nil && g.PublicURL.Scheme == "https")
}

// Cookie is a cookie as sohoa sets them (the session's): sent only to sohoa's own pages' requests
// (SameSite Strict: another site's links and forms arrive without it), never to scripts, and only
// over HTTPS when sohoa is reached that way.
func (g Guard) Cookie(name, value string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: g.Secure(), SameSite: http.SameSiteStrictMode}
}

func changesState(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// hostAllowed says whether host (a Host header, with or without a port) is one sohoa answers to.
func (g Guard) hostAllowed(host string) bool {
	if g.Hosts == nil {
		return true
	}
	name := hostname(host)
	if name == "localhost" {
		return true
	}
	if ip := net.ParseIP(name); ip != nil && ip.IsLoopback() {
		return true
	}
	return slices.Contains(g.Hosts, name)
}

// hostname is host without its port or brackets, in lower case and without a final dot.
func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
}

// crossSite says why a state-changing request r may come from another site's page, or "" when it
// cannot (see Guard).
func (g Guard) crossSite(r *http.Request) string {
	origin := r.Header.Get("Origin")
	if origin == "" {
		switch site := r.Header.Get("Sec-Fetch-Site"); site {
		case "", "same-origin", "none":
			return ""
		default:
			return "Sec-Fetch-Site " + site + " without an Origin"
		}
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" { // "null" among others: a sandboxed frame, a redirect from elsewhere
		return "unreadable Origin"
	}
	if g.PublicURL != nil {
		if originOf(u) != originOf(g.PublicURL) {
			return "Origin is not SOHOA_PUBLIC_URL"
		}
		return ""
	}
	if !strings.EqualFold(u.Host, r.Host) {
		return "Origin is not the Host"
	}
	return ""
}

// originOf is u's scheme and host as browsers write an Origin: lower case, without a default port.
func originOf(u *url.URL) string {
	host := strings.ToLower(u.Host)
	if port := u.Port(); (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		host = strings.ToLower(u.Hostname())
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
	}
	return strings.ToLower(u.Scheme) + "://" + host
}

// mediaAllowed says whether r's body has a content type its route takes.
func mediaAllowed(r *http.Request, upload bool) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return r.ContentLength == 0 // no body: nothing to declare
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if upload {
		return mt == "multipart/form-data"
	}
	return mt == "application/json"
}
