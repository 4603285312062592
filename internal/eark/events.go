package eark

// Which files of a paper an event concerns.
type concerns int

const (
	theOriginal concerns = iota
	theSigned
	both
)

// eventKind is how a sohoa stage or history action is told in PREMIS: its event type (the Library
// of Congress preservation event types where one fits, else a plain name) and the files it
// concerns.
type eventKind struct {
	Type    string
	Detail  string // Vietnamese, for the archivist
	Objects concerns
}

// stageEvents are the pipeline's stages (pipeline.Stages), as events of the run that made the file.
var stageEvents = map[string]eventKind{
	"ingest": {"ingestion", "Tiếp nhận tệp gốc, tách trang và kiểm tra", theOriginal},
	"ocr":    {"optical character recognition", "Nhận dạng ký tự (Tesseract, tiếng Việt)", theOriginal},
	"code":   {"identifier assignment", "Cấp mã tài liệu", theOriginal},
	"pdfa":   {"normalization", "Tạo bản PDF/A có lớp văn bản", theSigned},
	"sign":   {"digital signature generation", "Ký số (PAdES B-T) và lưu vào kho lưu trữ", theSigned},
	"index":  {"indexing", "Đánh chỉ mục toàn văn để tìm kiếm", theSigned},
}

// actionArchiveWriting is the history action recorded just before a signed file is written to the
// archive (workers' archive.writing), with its key and SHA-256.
const actionArchiveWriting = "archive.writing"

// historyEvents are the history actions that tell what became of a paper. Reads (document.file,
// dossier.viewed…) are left out: they are the access trail, not the paper's preservation history.
var historyEvents = map[string]eventKind{
	actionArchiveWriting:  {"accession", "Ghi tệp đã ký vào kho lưu trữ (khóa không xóa được)", theSigned},
	"document.attached":   {"submission", "Giấy tờ nộp kèm hồ sơ", both},
	"document.reused":     {"reuse", "Dùng lại giấy tờ đã có trong kho cho hồ sơ, không yêu cầu nộp lại", both},
	"paper.updated":       {"metadata modification", "Cán bộ xác nhận hoặc sửa thông tin giấy tờ", both},
	"page.converted":      {"migration", "Trang ảnh được chuyển đổi khi tạo PDF/A", theSigned},
	"page.reviewed":       {"validation", "Cán bộ đối chiếu chữ nhận dạng của một trang với ảnh quét", theSigned},
	"pdf.rendered":        {"rendering", "Trang PDF gốc được dựng thành ảnh để nhận dạng", theOriginal},
	"pdfa.not_conformant": {"validation", "Bản lưu trữ không đạt PDF/A", theSigned},
	"signature.accepted":  {"policy assignment", "Lưu trữ viên quyết định chứng thực bản gốc có chữ ký không xác minh được", theOriginal},
	"fixity.mismatch":     {"fixity check", "Tệp lưu trữ không khớp mã băm đã ghi nhận", theSigned},
	"document.retried":    {"reprocessing", "Chạy lại tài liệu bị lỗi", theOriginal},
	"stack.split":         {"information package splitting", "Tệp quét được tách thành các giấy tờ", theOriginal},
}

// failures are the actions whose event reports a failure.
var failures = map[string]bool{"fixity.mismatch": true, "pdfa.not_conformant": true}
