package receipt

import "fmt"

// fields draws the body after Mẫu số 01: whose dossier, for what, the
// numbered papers received, and the times of receipt and return. It returns
// the last baseline.
func fields(c *canvas, r Receipt, y, size float64) (float64, error) {
	lead := size * 1.4
	width := right - marginL
	var err error
	first := true
	para := func(hang float64, spans ...span) {
		if err != nil {
			return
		}
		if !first {
			y -= lead
		}
		first = false
		y, err = c.paragraph(marginL, width, hang, y, size, lead, spans)
	}
	if r.OwnerName != "" {
		para(0, span{"Tiếp nhận hồ sơ của: ", regular}, span{r.OwnerName, bold})
	}
	if r.OwnerID != "" {
		para(0, span{ownerIDLabel(r.OwnerID), regular}, span{r.OwnerID, regular})
	}
	if r.Procedure != "" {
		para(0, span{"Nội dung yêu cầu giải quyết: ", regular}, span{r.Procedure, regular})
	}
	if r.ProcedureCode != "" {
		para(0, span{"Mã thủ tục hành chính: ", regular}, span{r.ProcedureCode, regular})
	}
	n := 0
	item := func(spans ...span) {
		n++
		para(0, append([]span{{fmt.Sprintf("%d. ", n), regular}}, spans...)...)
	}
	item(span{"Thành phần hồ sơ nộp gồm:", regular})
	// The list is indented under its heading; each number stands out and
	// wrapped lines align with the text after it, as in a typed list.
	indent := size * 1.5
	if len(r.Components) == 0 && err == nil {
		y -= lead
		y, err = c.paragraph(marginL+indent, width-indent, 0, y, size, lead, []span{{"(chưa có giấy tờ nào)", italic}})
	}
	for i, comp := range r.Components {
		if err != nil {
			break
		}
		num := fmt.Sprintf("%d. ", i+1)
		var nw float64
		if nw, err = c.ts.width(num, size); err != nil {
			break
		}
		y -= lead
		if err = c.text(marginL+indent, y, size, []span{{num, regular}}); err != nil {
			break
		}
		y, err = c.paragraph(marginL+indent+nw, width-indent-nw, 0, y, size, lead, []span{{comp, regular}})
	}
	item(span{"Số lượng hồ sơ: ", regular}, span{"01 (bộ)", regular})
	item(span{"Thời gian nhận hồ sơ: ", regular}, span{vietnameseTime(r.ReceivedAt), regular})
	switch {
	case !r.DueAt.IsZero():
		item(span{"Thời gian trả kết quả giải quyết hồ sơ: ", regular}, span{vietnameseTime(r.DueAt), bold})
	case !r.DueOn.IsZero():
		item(span{"Thời gian trả kết quả giải quyết hồ sơ: ", regular}, span{vietnameseDay(r.DueOn), bold})
	}
	return y, err
}

// signatures draws the two signing columns, the citizen's on the left and
// the receiving officer's on the right, with room to sign and the names
// printed under it. It returns the last baseline.
func signatures(c *canvas, r Receipt, y, size float64) (float64, error) {
	lead := size * 1.4
	cols := []struct {
		x0, x1      float64
		title, name string
	}{
		{marginL, marginL + leftCol, "NGƯỜI NỘP HỒ SƠ", r.OwnerName},
		{marginL + leftCol, right, "NGƯỜI TIẾP NHẬN HỒ SƠ", r.Staff},
	}
	low := y
	for _, col := range cols {
		cy, _, err := c.centred(col.x0, col.x1, y, size, lead, []span{{col.title, bold}})
		if err != nil {
			return 0, err
		}
		if cy, _, err = c.centred(col.x0, col.x1, cy-lead, size-1, lead, []span{{"(Ký và ghi rõ họ tên)", italic}}); err != nil {
			return 0, err
		}
		// About 25 mm to sign in.
		cy -= 72
		if col.name != "" {
			if cy, _, err = c.centred(col.x0, col.x1, cy, size, lead, []span{{col.name, bold}}); err != nil {
				return 0, err
			}
		}
		low = min(low, cy)
	}
	return low, nil
}
