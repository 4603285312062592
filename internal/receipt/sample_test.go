package receipt

import (
	"time"
)

// sample is a receipt as a Hải Phòng counter would print it.
func sample() Receipt {
	return Receipt{
		DossierCode:   "000.00.53.H26-261127-0001",
		Agency:        "Bộ phận Một cửa quận Lê Chân",
		Procedure:     "Đăng ký khai sinh kết hợp đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
		ProcedureCode: "1.001193",
		OwnerName:     "Nguyễn Thị Hồng Nhung",
		OwnerID:       "031190001234",
		ReceivedAt:    time.Date(2026, 11, 27, 9, 20, 0, 0, time.UTC),
		DueAt:         time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC),
		Components: []string{
			"Tờ khai đăng ký khai sinh (bản chính)",
			"Giấy chứng sinh do cơ sở y tế cấp (bản chính)",
			"Giấy chứng nhận kết hôn của cha, mẹ (bản sao có chứng thực)",
			"Văn bản ủy quyền có chứng thực trong trường hợp ủy quyền thực hiện việc đăng ký khai sinh; người được ủy quyền là ông, bà, người thân thích khác thì không cần chứng thực",
		},
		Staff: "Trần Văn Đức",
	}
}
