package workers

import "fmt"

// Object keys. Every stage writes under keys derived from the document, so running it twice
// overwrites its own output instead of adding to it.

func originalKey(sha256 string) string { return "originals/" + sha256 }

func pageKey(docID string, n int, format string) string {
	return fmt.Sprintf("pages/%s/%04d.%s", docID, n, format)
}

// ocrKey holds the run, so that a page read in this run is found again by a page task that was cut
// off before recording it, and never one of an earlier run, whose pages may differ.
func ocrKey(docID string, run, n int) string {
	return fmt.Sprintf("ocr/%s/%d/%04d.json", docID, run, n)
}

func pdfKey(docID string) string { return "pdf/" + docID + ".pdf" }

// archiveKey names a document's signed file. Its last part is the archive file name of Thông tư
// 05/2025/TT-BNV, <code>.<sequence> (here the first and only file of the record); the document's ID
// before it makes the key the document's own. A code alone is not: a database made afresh, or two
// deployments writing to one bucket, give codes again that files in the archive already carry.
func archiveKey(docID, code string) string { return docID + "/" + code + ".01.pdf" }
