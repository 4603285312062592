package api

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed web
var web embed.FS

// webHandler serves the pages: one page for counter staff and archivists, in Vietnamese, working
// through the same JSON API as any other client.
func webHandler() http.Handler {
	sub, _ := fs.Sub(web, "web")
	return http.FileServerFS(sub)
}
