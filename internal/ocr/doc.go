// Package ocr recognizes the text of one page image with Tesseract,
// returning words and lines with their boxes and confidences as well as
// the plain text that indexing and coding work from.
//
// # Preprocessing, step by step
//
// Plain Tesseract, `tesseract IMG - -l vie`, is the floor. A page no step
// applies to is handed to Tesseract as decoded, with Tesseract's own
// settings, and is read exactly as the command line reads it; the only
// difference left is the stray-mark filter of text.go. Each step of the
// recognition copy (prep.go, skew.go) is applied only where a detector
// says it helps, because a step that resamples a page with pen strokes
// across its text changes how Tesseract segments the strokes and the
// lines they cross, for better or for worse, page by page: of 45 marked
// pages skewed by 0.4–3.5°, the deskewed copy read better than the
// unrotated one on 25 and worse on 9 (khai-sinh with a signature and a
// note at 2.5°: 14.5 % CER deskewed, 7.4 % as given), and no detector we
// tried tells which. A page read with black pen across the text at 10.3 %
// CER where plain Tesseract read 3.5 % was such a case.
//
// The steps, their detectors, and what was measured (CER on the samples
// and on copies marked by internal/ocr/scribble; the tests in plain_test.go
// hold every page to plain Tesseract):
//
//   - Coloured ink (seals, blue and violet pens) is painted over when at
//     least 0.02 % of the pixels are coloured ink: channels 64 or more
//     apart. Clean samples have none; a signature or a seal is 0.1–0.45 %.
//     Only the ink and a 0.01-inch halo change: over paper they take the
//     paper's colour, over print they keep the print's grey. Pages with a
//     blue signature and note read as the clean ones (0.00–0.45 %, plain
//     2.7–64 %), a red seal under a black signature at 1.1–14 % (plain
//     8.7–78 %), but for a three-line page it covers whole (64 %, as
//     plain).
//   - Hand marks: a connected component, once ruled lines (runs of 0.4
//     inch) are taken out, at least 2.5 times the median glyph height in
//     both directions. No clean sample has one; black signatures and notes
//     make one to four (a note whose loops touch no print may make none,
//     and is read as unmarked). Marks decide the resampling steps below.
//   - Scaling: a page over 400 dpi is read at 300, a third of the CPU and
//     memory (the CLI on dkdn at 600 dpi: 5.7 s and 394 MB, at 300 dpi
//     1.75 s and 127 MB) and better (clean 600 dpi copies: 0.11–0.21 %
//     against 0.33–0.71 %). Not a marked page: scaled, khai-sinh with a
//     signature read 22.3 %, as scanned 11.5 %.
//   - Quarter turns, when Tesseract's orientation detection is confident
//     (2 or more; full sample pages score 10–19 turned or not, a page of
//     three lines 2–4): plain Tesseract reads a page upside down or turned
//     left at 84–88 %.
//   - Deskew, when Leptonica measures 0.1–10° with confidence. Unmarked
//     pages always: plain Tesseract merges lines from about 2° (16 of 18
//     clean copies skewed 2–3.5° at 17–87 %, against 0.05–0.21 %
//     deskewed), and below that deskewing still gains a little (ke-hoach
//     at 0.39°: 0.05 % against 0.27 %). Marked pages below 1.5° never:
//     there a rotation helped 9 of 21 pages and hurt 4, by up to 12 points.
//     From 1.5° only when Tesseract's layout of the unrotated page finds
//     fewer than 85 % of the text lines it finds on the deskewed copy,
//     which is what a page lost to skew looks like (dkdn at 2.4°: 24 lines
//     instead of 34, 27.8 %); strokes move the count by less.
//
// Tesseract's mean word confidence cannot settle these doubts: the words
// it reads on a page that lost lines to skew are read well (khai-sinh at
// 3°: 33.8 % CER at confidence 95.0, deskewed 0.21 % at 96.0), and of the
// 34 marked pages whose two reads differed, the worse scored higher on 11.
// Reading a page twice would also double its cost. The layout comparison
// costs two layout analyses, some 15 % of a page each, only on marked
// pages skewed 1.5° or more, and recognition reuses the layout of the
// unrotated copy when it wins. Counting marks costs 20–80 ms, on colour
// pages, pages over 400 dpi and pages skewed 0.1° or more. A marked page
// is read in colour, as plain Tesseract reads it, which costs some 10 %
// more than grey, and over 400 dpi unscaled, which costs what it costs
// plain Tesseract. Tesseract's second pass over inverted lines is on, as
// in the command line: off, the bench ran 0–4 % faster, within its noise.
//
// Left where a step could help but nothing cheap tells that it does, and
// read as plain Tesseract reads them: marked pages skewed less than 1.5°,
// or more without lines lost, and marked pages over 400 dpi (scaled, dkdn
// with a signature read 6.0 % against 14.3 %). Coloured print (a red
// heading) would be painted over as ink.
//
// The page image that is archived is never touched: the archive keeps what
// was scanned (a re-sampled rotation would blur it and an auditor must see
// the paper as it came in), and the word boxes are mapped back onto the
// original image (geom.go), which is what the PDF text layer is drawn over.
//
// Tesseract parallelises inside a page with OpenMP, which only fights with
// our own one-page-per-worker parallelism: the process running workers
// must set OMP_THREAD_LIMIT=1 in its environment before the first page
// (Tesseract reads it once, so setting it from Go later has no effect).
//
// Tesseract and Leptonica are called through their C APIs (capi.go)
// rather than through gosseract v2.4.1, which this package used before and
// which is now only used to list the installed languages for an error
// message. What gosseract got wrong, and what replaced it:
//   - Text, HOCRText and GetBoundingBoxes never free the strings (and
//     GetBoundingBoxes the iterator) Tesseract returns: a leak on every page.
//     Here every string goes to TessDeleteText and the iterator to
//     TessResultIteratorDelete.
//   - Each of those calls re-runs recognition; here the page is recognised
//     once and its result iterator walked for words, lines and paragraphs.
//   - Client setup redirects the whole process's stderr into a 512-byte
//     buffer and crashes when Tesseract writes more (a missing language);
//     here nothing is redirected: what Tesseract prints reaches stderr.
//   - SetImageFromBytes reads only a TIFF's first page; pages reach us
//     split by internal/scan, and Leptonica's pixReadMem reads PNG, JPEG
//     and TIFF alike.
//   - Orientation detection, the source resolution and an interruptible
//     recognition (a progress monitor with a deadline and a cancel
//     function) are not exposed; here they are.
package ocr
