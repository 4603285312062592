package workers

import "fmt"

// Object keys. Every stage writes under keys derived from the document, so running it twice
// overwrites its own output instead of adding to it.

func originalKey(sha256 string) string { return "originals/" + sha256 }

func pageKey(docID string, n int, format string) string {
	return fmt.Sprintf("pages/%s/%04d.%s", docID, n, format)
}

func ocrKey(docID string, n int) string { return fmt.Sprintf("ocr/%s/%04d.json", docID, n) }

func pdfKey(docID string) string { return "pdf/" + docID + ".pdf" }

// archiveKey follows the archive file name of Thông tư 05/2025/TT-BNV: <code>.<sequence>, here the
// first (and, for now, only) file of the record.
func archiveKey(code string) string { return code + ".01.pdf" }
