package searchbench

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// The vocabulary of the sample papers (testdata/scans, /work/shared/samples): Hải Phòng's districts,
// wards and streets, Vietnamese names, and the phrases each kind of paper is written in. Names and
// numbers are drawn per document, so that an owner's name, a CCCD or a plot number is as rare in the
// corpus as it is in a real store, while the boilerplate ("Ủy ban nhân dân", "Cộng hòa xã hội chủ
// nghĩa Việt Nam") is in nearly every paper.
var (
	surnames = weighted{ // about as common as in the population
		{"Nguyễn", 38}, {"Trần", 11}, {"Lê", 9}, {"Phạm", 7}, {"Hoàng", 5}, {"Huỳnh", 4}, {"Phan", 4}, {"Vũ", 4},
		{"Võ", 3}, {"Đặng", 2}, {"Bùi", 2}, {"Đỗ", 2}, {"Hồ", 2}, {"Ngô", 1}, {"Dương", 1}, {"Lý", 1},
		{"Đào", 1}, {"Đoàn", 1}, {"Vương", 1}, {"Trịnh", 1}, {"Lương", 1}, {"Mai", 1}, {"Tô", 1}, {"Cao", 1},
	}
	// rareSurnames are about one person in ten thousand each, and once folded most are common words
	// (không, mặc, ông, lúc, là, đảm): the rare names the benchmark looks for.
	rareSurnames = []string{"Khổng", "Mạc", "Thân", "Ông", "Lục", "Lã", "Đàm", "Âu"}
	middles      = []string{"Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu", "Hoài", "Bảo", "Gia", "Anh", "Kim", "Đình"}
	givens       = []string{"An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Khánh",
		"Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Phong", "Phúc", "Quang", "Quân", "Sơn", "Tâm",
		"Thảo", "Thắng", "Thủy", "Trang", "Trung", "Tuấn", "Tùng", "Việt", "Vy", "Yến", "Đạt", "Hiếu", "Huy", "Lộc"}
	districts = []struct {
		name  string
		wards []string
	}{
		{"quận Lê Chân", []string{"phường An Biên", "phường Trại Cau", "phường Cát Dài", "phường Dư Hàng", "phường Hồ Nam", "phường Niệm Nghĩa"}},
		{"quận Ngô Quyền", []string{"phường Máy Chai", "phường Cầu Tre", "phường Lạch Tray", "phường Đông Khê", "phường Gia Viên", "phường Lạc Viên"}},
		{"quận Hồng Bàng", []string{"phường Hạ Lý", "phường Minh Khai", "phường Quán Toan", "phường Sở Dầu", "phường Thượng Lý", "phường Hoàng Văn Thụ"}},
		{"quận Hải An", []string{"phường Đằng Hải", "phường Đằng Lâm", "phường Nam Hải", "phường Cát Bi", "phường Tràng Cát"}},
		{"quận Kiến An", []string{"phường Bắc Sơn", "phường Đồng Hòa", "phường Quán Trữ", "phường Văn Đẩu"}},
		{"huyện Thủy Nguyên", []string{"xã Lập Lễ", "xã Thủy Sơn", "xã Kênh Giang", "xã Lại Xuân", "xã Phục Lễ"}},
		{"huyện Tiên Lãng", []string{"xã Tiên Cường", "xã Quyết Tiến", "xã Đoàn Lập", "xã Kiến Thiết"}},
		{"huyện An Dương", []string{"xã An Hòa", "xã Hồng Phong", "xã Lê Lợi", "xã Nam Sơn"}},
	}
	streets = []string{"Lê Lợi", "Tô Hiệu", "Đà Nẵng", "Lạch Tray", "Văn Cao", "Trần Phú", "Điện Biên Phủ", "Hai Bà Trưng",
		"Lê Thánh Tông", "Nguyễn Đức Cảnh", "Trần Nguyên Hãn", "Hàng Kênh", "Cầu Đất", "Lê Hồng Phong", "Nguyễn Văn Linh",
		"Chợ Hàng", "Miếu Hai Xã", "Thiên Lôi", "Trần Hưng Đạo", "Quang Trung", "Phạm Văn Đồng", "Ngô Gia Tự"}
	trades = []string{"CƠ KHÍ", "THƯƠNG MẠI", "XÂY DỰNG", "VẬN TẢI", "THỦY SẢN", "DỊCH VỤ", "CẢNG BIỂN", "ĐIỆN TỬ",
		"THỰC PHẨM", "LOGISTICS", "NỘI THẤT", "MAY MẶC", "DU LỊCH", "CÔNG NGHỆ", "XUẤT NHẬP KHẨU", "NÔNG SẢN"}
	brands = []string{"ĐÔNG HẢI", "HẢI ĐĂNG", "NAM TRIỆU", "BẠCH ĐẰNG", "TRÀNG KÊNH", "HOA PHƯỢNG", "CÁT BI", "ĐỒ SƠN",
		"THIÊN PHÚC", "AN PHÁT", "MINH ANH", "HOÀNG LONG", "VIỆT HẢI", "PHÚ THÀNH", "SAO MAI", "TÂN CẢNG"}
	plans = []string{
		"Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại Bộ phận Một cửa",
		"Cải cách hành chính và nâng cao chỉ số hài lòng của người dân",
		"Chuyển đổi số trong tiếp nhận và giải quyết hồ sơ thủ tục hành chính",
		"Kiểm tra công tác văn thư, lưu trữ",
		"Triển khai dịch vụ công trực tuyến toàn trình",
		"Tuyên truyền phổ biến giáo dục pháp luật về hộ tịch",
	}
	decisions = []string{
		"công bố danh mục thủ tục hành chính được chuẩn hóa",
		"phê duyệt danh sách hồ sơ được số hóa đợt",
		"thành lập Tổ công tác rà soát hồ sơ tồn đọng",
		"ban hành quy chế tiếp nhận, trả kết quả tại Bộ phận Một cửa",
		"giao chỉ tiêu số hóa kết quả giải quyết thủ tục hành chính",
		"cấp giấy phép xây dựng có thời hạn",
	}
)

// weighted is a list of words with their relative weights.
type weighted []struct {
	word   string
	weight int
}

func (w weighted) pick(r *rand.Rand) string {
	total := 0
	for _, x := range w {
		total += x.weight
	}
	n := r.IntN(total)
	for _, x := range w {
		if n -= x.weight; n < 0 {
			return x.word
		}
	}
	return w[0].word
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// person is a name, upper-cased as forms write it: one in a thousand has a rare surname.
func person(r *rand.Rand) string {
	s := surnames.pick(r)
	if r.IntN(1000) == 0 {
		s = pick(r, rareSurnames)
	}
	return strings.ToUpper(s + " " + pick(r, middles) + " " + pick(r, givens))
}

// place is a house on a street in a ward of a district, and the ward and district apart.
func place(r *rand.Rand) (address, ward, district string) {
	d := pick(r, districts)
	ward = pick(r, d.wards)
	return fmt.Sprintf("Số %d đường %s, %s, %s, thành phố Hải Phòng", 1+r.IntN(300), pick(r, streets), ward, d.name), ward, d.name
}

// citizenID is a CCCD of someone born in Hải Phòng (031) in year.
func citizenID(r *rand.Rand, year int, female bool) string {
	c := (year/100 - 19) * 2
	if female {
		c++
	}
	return fmt.Sprintf("031%d%02d%06d", c, year%100, r.IntN(1000000))
}

// taxCode is a valid enterprise tax code of Hải Phòng (02…): its tenth digit checks the others.
func taxCode(r *rand.Rand) string {
	weights := [9]int{31, 29, 23, 19, 17, 13, 7, 5, 3}
	for {
		d := fmt.Sprintf("02%07d", r.IntN(10000000))
		sum := 0
		for i, w := range weights {
			sum += int(d[i]-'0') * w
		}
		if check := 10 - sum%11; check < 10 {
			return d + fmt.Sprint(check)
		}
	}
}

func longDate(t time.Time) string {
	return fmt.Sprintf("ngày %02d tháng %02d năm %d", t.Day(), int(t.Month()), t.Year())
}

const header = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"

const kindBusiness = "Giấy chứng nhận đăng ký doanh nghiệp"

// Kinds of paper, as recorded, with their share of the store in thousandths.
var kinds = []struct {
	kind   string
	share  int
	write  func(r *rand.Rand, p *paper)
	notice string // the notation's type of document, for the kinds that carry one
}{
	{"Giấy khai sinh", 250, birth, ""},
	{"Giấy chứng nhận kết hôn", 90, marriage, ""},
	{"Trích lục khai tử", 50, death, ""},
	{"Giấy phép xây dựng", 120, building, ""},
	{kindBusiness, 130, business, ""},
	{"Giấy chứng nhận quyền sử dụng đất", 100, land, ""},
	{"Kế hoạch", 50, plan, "KH"},
	{"Quyết định", 110, decision, "QĐ"},
	{"Công văn", 100, letter, "VP"},
}

// paper is one generated document.
type paper struct {
	kind, title, text, owner, notation, issuer string
	issued                                     time.Time
	business                                   bool // the owner is a tax code
}

// notation is the number and symbol of an official letter, e.g. 110/KH-UBND: numbered up to 500 a
// year, so one notation is in about one in ten thousand of the store's papers, with those that cite it.
func notation(r *rand.Rand, kind string) string {
	if kind == "VP" {
		return fmt.Sprintf("%d/UBND-VP", 1+r.IntN(500))
	}
	return fmt.Sprintf("%d/%s-UBND", 1+r.IntN(500), kind)
}

func birth(r *rand.Rand, p *paper) {
	parent, child, mother := person(r), person(r), person(r)
	addr, ward, district := place(r)
	year := p.issued.Year() - 20 - r.IntN(20)
	p.title = "TỜ KHAI ĐĂNG KÝ KHAI SINH"
	p.text = header + p.title + "\n" +
		fmt.Sprintf("Kính gửi: Ủy ban nhân dân %s, %s, thành phố Hải Phòng\n", ward, district) +
		"Họ, chữ đệm, tên người yêu cầu: " + parent + "\n" +
		"Nơi cư trú: " + addr + "\n" +
		fmt.Sprintf("Giấy tờ tùy thân: Căn cước công dân số %s cấp ngày %s\n", p.owner, p.issued.AddDate(-3, 0, 0).Format("02/01/2006")) +
		"Quan hệ với người được khai sinh: " + pick(r, []string{"Cha", "Mẹ", "Ông nội", "Bà ngoại"}) + "\n" +
		"Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:\n" +
		"Họ, chữ đệm, tên: " + child + "\n" +
		fmt.Sprintf("Ngày, tháng, năm sinh: %s\n", p.issued.AddDate(0, 0, -r.IntN(60)).Format("02/01/2006")) +
		"Giới tính: " + pick(r, []string{"Nam", "Nữ"}) + ". Dân tộc: Kinh. Quốc tịch: Việt Nam\n" +
		"Nơi sinh: " + pick(r, []string{"Bệnh viện Phụ sản Hải Phòng", "Bệnh viện Trẻ em Hải Phòng", "Trạm y tế " + ward, "Bệnh viện Việt Tiệp"}) + ", thành phố Hải Phòng\n" +
		fmt.Sprintf("Họ, chữ đệm, tên người mẹ: %s. Năm sinh: %d. Dân tộc: Kinh. Quốc tịch: Việt Nam\n", mother, year+r.IntN(5)) +
		"Nơi cư trú: " + addr + "\n" +
		"Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa thuận nhất trí của các bên liên quan theo quy định pháp luật.\n" +
		"Tôi chịu hoàn toàn trách nhiệm trước pháp luật về nội dung cam đoan của mình.\n" +
		"Làm tại: Hải Phòng, " + longDate(p.issued) + "\n" +
		"Người yêu cầu (ký, ghi rõ họ, chữ đệm, tên)\n" +
		fmt.Sprintf("Đề nghị cấp bản sao: Có, số lượng: %02d bản", 1+r.IntN(4))
	p.issuer = "Ủy ban nhân dân " + ward
}

func marriage(r *rand.Rand, p *paper) {
	husband, wife := person(r), person(r)
	_, ward, district := place(r)
	year := p.issued.Year() - 22 - r.IntN(15)
	p.title = "GIẤY CHỨNG NHẬN KẾT HÔN"
	p.text = header + p.title + "\n" +
		fmt.Sprintf("Ủy ban nhân dân %s, %s, thành phố Hải Phòng\n", ward, district) +
		fmt.Sprintf("Họ, chữ đệm, tên chồng: %s. Ngày, tháng, năm sinh: %02d/%02d/%d. Dân tộc: Kinh. Quốc tịch: Việt Nam\n", husband, 1+r.IntN(28), 1+r.IntN(12), year) +
		fmt.Sprintf("Giấy tờ tùy thân: Căn cước công dân số %s\n", citizenID(r, year, false)) +
		fmt.Sprintf("Họ, chữ đệm, tên vợ: %s. Ngày, tháng, năm sinh: %02d/%02d/%d. Dân tộc: Kinh. Quốc tịch: Việt Nam\n", wife, 1+r.IntN(28), 1+r.IntN(12), year+r.IntN(4)) +
		fmt.Sprintf("Giấy tờ tùy thân: Căn cước công dân số %s\n", p.owner) +
		fmt.Sprintf("Nơi đăng ký kết hôn: Ủy ban nhân dân %s\n", ward) +
		fmt.Sprintf("Ngày, tháng, năm đăng ký: %s\n", p.issued.Format("02/01/2006")) +
		fmt.Sprintf("Số: %d, quyển số %02d/%d\n", 1+r.IntN(400), 1+r.IntN(3), p.issued.Year()) +
		"Chồng (ký, ghi rõ họ tên) Vợ (ký, ghi rõ họ tên)\n" +
		"Người ký giấy chứng nhận kết hôn: TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH " + person(r) + "\n" +
		"Công chức tư pháp - hộ tịch: " + person(r)
	p.issuer = "Ủy ban nhân dân " + ward
}

func death(r *rand.Rand, p *paper) {
	dead, asker := person(r), person(r)
	addr, ward, _ := place(r)
	p.title = "TRÍCH LỤC KHAI TỬ"
	p.text = header + p.title + "\n" +
		fmt.Sprintf("Số: %d/TLKT. Ủy ban nhân dân %s, thành phố Hải Phòng\n", 1+r.IntN(900), ward) +
		"Họ, chữ đệm, tên người đã chết: " + dead + "\n" +
		fmt.Sprintf("Ngày, tháng, năm sinh: %02d/%02d/%d. Giới tính: %s. Dân tộc: Kinh. Quốc tịch: Việt Nam\n", 1+r.IntN(28), 1+r.IntN(12), 1930+r.IntN(60), pick(r, []string{"Nam", "Nữ"})) +
		fmt.Sprintf("Số định danh cá nhân: %s\n", citizenID(r, 1930+r.IntN(60), false)) +
		"Nơi cư trú cuối cùng: " + addr + "\n" +
		fmt.Sprintf("Đã chết vào lúc %d giờ %02d phút, %s\n", r.IntN(24), r.IntN(60), longDate(p.issued.AddDate(0, 0, -1-r.IntN(14)))) +
		"Nơi chết: " + pick(r, []string{"tại nhà", "Bệnh viện Hữu nghị Việt Tiệp", "Bệnh viện Kiến An", "Trung tâm Y tế huyện"}) + "\n" +
		"Nguyên nhân chết: " + pick(r, []string{"bệnh", "tuổi cao", "tai nạn"}) + "\n" +
		"Họ, chữ đệm, tên người đi khai tử: " + asker + fmt.Sprintf(". Giấy tờ tùy thân: Căn cước công dân số %s\n", p.owner) +
		"Nơi đăng ký khai tử: Ủy ban nhân dân " + ward + "\n" +
		"Ngày, tháng, năm đăng ký: " + p.issued.Format("02/01/2006") + "\n" +
		"Ghi chú: Bản trích lục khai tử được cấp theo yêu cầu của người đi khai tử."
	p.issuer = "Ủy ban nhân dân " + ward
}

func building(r *rand.Rand, p *paper) {
	owner := person(r)
	addr, ward, district := place(r)
	floors := 1 + r.IntN(6)
	area := 40 + r.IntN(150)
	p.title = "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG"
	p.text = header + p.title + "\n" +
		"(Sử dụng cho công trình nhà ở riêng lẻ)\n" +
		fmt.Sprintf("Kính gửi: Ủy ban nhân dân %s, thành phố Hải Phòng\n", district) +
		"1. Thông tin về chủ đầu tư\n" +
		"Tên chủ đầu tư: " + owner + "\n" +
		"Người đại diện: " + owner + ". Chức vụ: chủ hộ\n" +
		"Địa chỉ liên hệ: " + addr + "\n" +
		fmt.Sprintf("Số điện thoại: 09%02d %03d %03d\n", r.IntN(100), r.IntN(1000), r.IntN(1000)) +
		"Căn cước công dân số " + p.owner + "\n" +
		"2. Thông tin công trình\n" +
		fmt.Sprintf("Địa điểm xây dựng: Lô đất số %d, tờ bản đồ số %02d, diện tích %d,%d m2\n", 1+r.IntN(300), 1+r.IntN(60), area, r.IntN(10)) +
		fmt.Sprintf("Tại: %s, %s, thành phố Hải Phòng\n", ward, district) +
		"3. Nội dung đề nghị cấp phép\n" +
		"Loại công trình: Nhà ở riêng lẻ. Cấp công trình: Cấp III\n" +
		fmt.Sprintf("Diện tích xây dựng tầng 1 (tầng trệt): %d,0 m2\n", area-r.IntN(20)) +
		fmt.Sprintf("Tổng diện tích sàn: %d,0 m2 (ghi rõ diện tích sàn các tầng hầm, tầng trên mặt đất, tầng kỹ thuật, tầng lửng, tum)\n", area*floors) +
		fmt.Sprintf("Chiều cao công trình: %d,%d m (trong đó ghi rõ chiều cao các tầng hầm, tầng trên mặt đất, tầng lửng, tum)\n", 4*floors, r.IntN(10)) +
		fmt.Sprintf("Số tầng: %d tầng và 1 tum\n", floors) +
		fmt.Sprintf("4. Dự kiến thời gian hoàn thành công trình: %d tháng\n", 4+r.IntN(14)) +
		"5. Cam kết: Tôi xin cam đoan làm theo đúng giấy phép được cấp, nếu sai tôi xin hoàn toàn chịu trách nhiệm và bị xử lý theo quy định của pháp luật.\n" +
		"Hải Phòng, " + longDate(p.issued) + "\n" +
		"Người làm đơn (ký, ghi rõ họ tên)"
	p.issuer = "Ủy ban nhân dân " + district
}

func business(r *rand.Rand, p *paper) {
	director, partner := person(r), person(r)
	addr, _, _ := place(r)
	name := pick(r, trades) + " VÀ " + pick(r, trades) + " " + pick(r, brands)
	first := p.issued.AddDate(-r.IntN(8), -r.IntN(12), 0)
	id := citizenID(r, 1960+r.IntN(40), false)
	p.title = "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP"
	p.text = "SỞ KẾ HOẠCH VÀ ĐẦU TƯ THÀNH PHỐ HẢI PHÒNG\nPHÒNG ĐĂNG KÝ KINH DOANH\n" + header + p.title + "\n" +
		"CÔNG TY TRÁCH NHIỆM HỮU HẠN HAI THÀNH VIÊN TRỞ LÊN\n" +
		"Mã số doanh nghiệp: " + p.owner + "\n" +
		"Đăng ký lần đầu: " + longDate(first) + "\n" +
		fmt.Sprintf("Đăng ký thay đổi lần thứ: %d, %s\n", 1+r.IntN(5), longDate(p.issued)) +
		"1. Tên công ty\n" +
		"Tên công ty viết bằng tiếng Việt: CÔNG TY TNHH " + name + "\n" +
		"2. Địa chỉ trụ sở chính\n" + addr + ", Việt Nam\n" +
		fmt.Sprintf("Điện thoại: 0225 %04d %03d\n", r.IntN(10000), r.IntN(1000)) +
		fmt.Sprintf("3. Vốn điều lệ: %d.000.000.000 đồng\n", 1+r.IntN(50)) +
		"4. Danh sách thành viên góp vốn\n" +
		fmt.Sprintf("Thành viên thứ nhất: %s, Căn cước công dân số %s, tỷ lệ %d%%\n", director, id, 50+r.IntN(40)) +
		fmt.Sprintf("Thành viên thứ hai: %s, Căn cước công dân số %s\n", partner, citizenID(r, 1960+r.IntN(40), true)) +
		"5. Người đại diện theo pháp luật của công ty\n" +
		"Họ và tên: " + director + ". Giới tính: Nam. Chức danh: Giám đốc\n" +
		"Loại giấy tờ pháp lý của cá nhân: Căn cước công dân. Số: " + id + "\n" +
		"TRƯỞNG PHÒNG"
	p.issuer = "Phòng Đăng ký kinh doanh, Sở Kế hoạch và Đầu tư thành phố Hải Phòng"
}

func land(r *rand.Rand, p *paper) {
	owner := person(r)
	addr, ward, district := place(r)
	p.title = "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT"
	p.text = header + p.title + "\n" +
		"I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất\n" +
		"Ông (bà): " + owner + ", Căn cước công dân số " + p.owner + "\n" +
		"Địa chỉ thường trú: " + addr + "\n" +
		"II. Thửa đất, nhà ở và tài sản khác gắn liền với đất\n" +
		fmt.Sprintf("1. Thửa đất: Thửa đất số %d, tờ bản đồ số %d; địa chỉ: %s, %s\n", 1+r.IntN(900), 1+r.IntN(80), ward, district) +
		fmt.Sprintf("Diện tích: %d,%d m2; hình thức sử dụng: riêng\n", 30+r.IntN(300), r.IntN(10)) +
		"Mục đích sử dụng: Đất ở tại đô thị; thời hạn sử dụng: lâu dài\n" +
		"Nguồn gốc sử dụng: Công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất\n" +
		fmt.Sprintf("2. Nhà ở: Diện tích xây dựng %d m2; kết cấu bê tông cốt thép; số tầng %d\n", 30+r.IntN(100), 1+r.IntN(5)) +
		"III. Sơ đồ thửa đất, nhà ở và tài sản khác gắn liền với đất\n" +
		"Hải Phòng, " + longDate(p.issued) + "\n" +
		"TM. ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG, KT. CHỦ TỊCH, PHÓ CHỦ TỊCH\n" +
		fmt.Sprintf("Số vào sổ cấp giấy chứng nhận: CS %05d", r.IntN(100000))
	p.issuer = "Ủy ban nhân dân thành phố Hải Phòng"
}

// official is the head of a letter of an agency: its name, the motto, the notation and the date.
func official(r *rand.Rand, p *paper, kind string) (agency string) {
	_, ward, district := place(r)
	agency = pick(r, []string{"quận " + strings.TrimPrefix(district, "quận "), ward, "thành phố Hải Phòng"})
	if strings.HasPrefix(district, "huyện") {
		agency = pick(r, []string{district, ward})
	}
	p.notation = notation(r, kind)
	p.text = strings.ToUpper("Ủy ban nhân dân "+agency) + "\n" + header +
		"Số: " + p.notation + "\n" +
		"Hải Phòng, " + longDate(p.issued) + "\n"
	p.issuer = "Ủy ban nhân dân " + agency
	return agency
}

func plan(r *rand.Rand, p *paper) {
	agency := official(r, p, "KH")
	p.title = "KẾ HOẠCH " + pick(r, plans) + " năm " + fmt.Sprint(p.issued.Year())
	p.text += "KẾ HOẠCH\n" + strings.TrimPrefix(p.title, "KẾ HOẠCH ") + "\n" +
		"I. MỤC ĐÍCH, YÊU CẦU\n" +
		fmt.Sprintf("1. Bảo đảm %d%% hồ sơ thủ tục hành chính tiếp nhận tại Bộ phận Một cửa được số hóa, ký số và lưu trữ điện tử ngay khi tiếp nhận.\n", 80+r.IntN(21)) +
		"2. Kết quả giải quyết thủ tục hành chính còn hiệu lực được số hóa, gắn mã và đưa vào Kho quản lý dữ liệu điện tử của tổ chức, cá nhân để người dân, doanh nghiệp không phải cung cấp lại.\n" +
		"II. NỘI DUNG THỰC HIỆN\n" +
		"1. Rà soát trang thiết bị: máy quét tốc độ cao, máy tính, chứng thư số của cơ quan và của công chức tiếp nhận.\n" +
		"2. Tổ chức quét toàn bộ thành phần hồ sơ khi tiếp nhận; nhận dạng ký tự quang học để tạo lớp văn bản phục vụ tra cứu; chuyển đổi sang định dạng PDF/A.\n" +
		"3. Gắn mã thành phần hồ sơ, mã kết quả giải quyết theo hướng dẫn của Văn phòng Chính phủ; ký số của cơ quan trên bản điện tử.\n" +
		"III. TỔ CHỨC THỰC HIỆN\n" +
		fmt.Sprintf("1. Văn phòng Hội đồng nhân dân và Ủy ban nhân dân %s chủ trì, hướng dẫn, đôn đốc triển khai; tổng hợp báo cáo kết quả hằng quý.\n", agency) +
		"2. Phòng Tài chính - Kế hoạch bố trí kinh phí thực hiện theo quy định.\n" +
		fmt.Sprintf("Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị kịp thời báo cáo Ủy ban nhân dân %s để xem xét, giải quyết.\n", agency) +
		"TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH " + person(r)
	p.owner = ""
}

func decision(r *rand.Rand, p *paper) {
	agency := official(r, p, "QĐ")
	what := pick(r, decisions)
	p.title = "QUYẾT ĐỊNH Về việc " + what
	p.text += "QUYẾT ĐỊNH\nVề việc " + what + "\n" +
		strings.ToUpper("Chủ tịch Ủy ban nhân dân "+agency) + "\n" +
		"Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n" +
		"Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính;\n" +
		"Căn cứ Kế hoạch số " + notation(r, "KH") + " " + longDate(p.issued.AddDate(0, -1-r.IntN(6), 0)) + " của Ủy ban nhân dân " + agency + ";\n" +
		"Theo đề nghị của Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân " + agency + ".\n" +
		"QUYẾT ĐỊNH:\n" +
		"Điều 1. " + strings.ToUpper(what[:1]) + what[1:] + fmt.Sprintf(" gồm %d hồ sơ (có danh sách kèm theo).\n", 10+r.IntN(500)) +
		"Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n" +
		"Điều 3. Chánh Văn phòng, Trưởng các phòng, ban chuyên môn và các tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này.\n" +
		"CHỦ TỊCH " + person(r)
	p.owner = ""
}

func letter(r *rand.Rand, p *paper) {
	agency := official(r, p, "VP")
	company := "Công ty TNHH " + strings.ToLower(pick(r, trades)) + " " + pick(r, brands)
	p.title = "V/v trả lời kiến nghị về hồ sơ thủ tục hành chính"
	p.text += p.title + "\n" +
		"Kính gửi: " + company + "\n" +
		"Ủy ban nhân dân " + agency + " nhận được văn bản kiến nghị của " + company + " về việc giải quyết hồ sơ đề nghị cấp phép.\n" +
		"Thực hiện Kế hoạch số " + notation(r, "KH") + " của Ủy ban nhân dân " + agency + ", sau khi xem xét, Ủy ban nhân dân có ý kiến như sau:\n" +
		fmt.Sprintf("1. Hồ sơ số %s đã được tiếp nhận tại Bộ phận Một cửa %s và đang được thẩm định theo quy định.\n", p.notation, longDate(p.issued.AddDate(0, 0, -r.IntN(30)))) +
		"2. Đề nghị doanh nghiệp bổ sung thành phần hồ sơ còn thiếu theo hướng dẫn; kết quả giải quyết được trả qua dịch vụ công trực tuyến.\n" +
		"Mã số thuế doanh nghiệp: " + taxCode(r) + "\n" +
		"Ủy ban nhân dân " + agency + " trả lời để " + company + " được biết, thực hiện.\n" +
		"Nơi nhận: Như trên; Lưu: VT.\nTM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, PHÓ CHỦ TỊCH " + person(r)
	p.owner = ""
}

// generate writes a paper issued on issued, of the citizen's or, for a business's kind, of the
// company's (a tax code); plans, decisions and letters have no owner.
func generate(r *rand.Rand, issued time.Time, citizen, company string) paper {
	n := r.IntN(1000)
	for _, k := range kinds {
		if n -= k.share; n < 0 {
			p := paper{kind: k.kind, issued: issued, owner: citizen}
			if k.kind == kindBusiness {
				p.owner, p.business = company, true
			}
			k.write(r, &p)
			return p
		}
	}
	panic("kind shares do not add up to 1000")
}
