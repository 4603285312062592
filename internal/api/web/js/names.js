// The names of things, in one place: the pipeline's stages in the order they run (pipeline/), the
// documents' statuses, and the words of the events in a dossier's history and in the access trail.

// The stages in the order the workers run them: the code comes before the PDF/A, which carries it.
export const STAGES = [
  ['ingest', 'Tiếp nhận'],
  ['ocr', 'Nhận dạng chữ (OCR)'],
  ['code', 'Cấp mã'],
  ['pdfa', 'Tạo PDF/A'],
  ['sign', 'Ký số'],
  ['index', 'Lập chỉ mục'],
];
export const STAGE_NAME = Object.fromEntries(STAGES);
export const STAGE_ORDER = Object.fromEntries(STAGES.map(([name], i) => [name, i]));

export const STATUSES = [
  ['received', 'Đã nhận'],
  ['processing', 'Đang xử lý'],
  ['done', 'Hoàn tất'],
  ['failed', 'Lỗi'],
  ['split', 'Đã tách'],
];
export const STATUS = Object.fromEntries(STATUSES);
// A document in these statuses is still moving: the page follows it.
export const ACTIVE = new Set(['received', 'processing']);

export const OWNER_KIND = { citizen: 'Công dân', business: 'Doanh nghiệp, tổ chức', organization: 'Tổ chức' };

export const ROLES = [
  ['clerk', 'Cán bộ một cửa'],
  ['archivist', 'Cán bộ lưu trữ'],
  ['auditor', 'Kiểm tra viên'],
  ['admin', 'Quản trị viên'],
  ['station', 'Máy quét'],
];
export const ROLE_NAME = Object.fromEntries(ROLES);

// The agencies' levels (storage.Level…), top down, as a report names them.
export const LEVELS = [
  ['tinh', 'Cấp tỉnh'],
  ['so', 'Cấp sở'],
  ['huyen', 'Cấp huyện'],
  ['xa', 'Cấp xã'],
];
export const LEVEL_NAME = Object.fromEntries(LEVELS);

export const ACTION_WORDS = {
  'dossier.received': 'Tiếp nhận hồ sơ',
  'dossier.viewed': 'Xem hồ sơ TTHC',
  'dossier.receipt': 'In giấy tiếp nhận',
  'dossier.cover': 'In phiếu bìa',
  'dossier.separator': 'In tờ phân cách',
  'stack.split': 'Tách tệp quét thành các giấy tờ',
  'stack.dossier_refused': 'Phiếu bìa ghi hồ sơ không nhận được',
  'document.attached': 'Nộp giấy tờ tại quầy',
  'document.reused': 'Dùng lại giấy tờ có trong kho',
  'document.file': 'Tải tệp đã ký số',
  'document.text': 'Xem văn bản nhận dạng',
  'document.pages': 'Xem thông tin các trang',
  'document.metadata': 'Xem thông tin văn bản',
  'document.verification': 'Kiểm tra chữ ký số',
  'document.retried': 'Cho xử lý lại',
  'document.page': 'Xem ảnh trang',
  'document.history': 'Xem lịch sử tài liệu',
  'archive.writing': 'Ghi bản ký số vào kho lưu trữ',
  'fixity.mismatch': 'Phát hiện tệp lưu trữ không khớp',
  'dossier.dvcqg': 'Xem bản ghi đồng bộ Cổng DVCQG',
  'dossier.eark': 'Xuất gói nộp lưu (E-ARK)',
  'dvcqg.export': 'Xuất dữ liệu đồng bộ Cổng DVCQG',
  'reuse.refused': 'Từ chối dùng lại giấy tờ',
  'paper.updated': 'Xác nhận thông tin giấy tờ',
  'page.reviewed': 'Đối chiếu chữ của trang với ảnh',
  'owner.viewed': 'Xem kho giấy tờ của chủ hồ sơ',
  'search': 'Tra cứu',
  'signature.accepted': 'Chấp nhận chữ ký của bản gốc',
  'pdf.rendered': 'Dựng ảnh các trang PDF',
  'pdfa.not_conformant': 'Ghi nhận bản gốc không đạt PDF/A',
  'page.converted': 'Chuyển trang sang PDF/A',
  'account.created': 'Tạo tài khoản',
  'account.disabled': 'Khóa tài khoản',
  'account.password': 'Đặt lại mật khẩu',
  'account.password_reset': 'Đặt lại mật khẩu',
  'token.created': 'Cấp mã truy cập (token)',
  'token.revoked': 'Thu hồi mã truy cập (token)',
  'agency.created': 'Thêm cơ quan',
  'agency.added': 'Thêm cơ quan',
};
