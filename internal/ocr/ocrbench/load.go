package ocrbench

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"

	"github.com/sohoa-vn/sohoa/internal/ocr/cer"
	"github.com/sohoa-vn/sohoa/internal/ocr/scribble"
	"github.com/sohoa-vn/sohoa/internal/scan"
)

// page is one page of the corpus.
type page struct {
	name  string
	image []byte
	ext   string // of the image's format, for the CLI
	dpi   float64
	file  string // the page image written out for the tesseract CLI
	gt    string // ground truth
	hasGT bool
}

// load splits every scan in dirs with internal/scan as the workers do and
// writes each page to tmp for the CLI; with strokes, marked copies of the
// pages that have a ground truth follow.
func load(dirs []string, tmp string, strokes bool) ([]page, error) {
	var pages []page
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("ocrbench: read %s: %w", dir, err)
		}
		for _, ent := range entries {
			name := ent.Name()
			if ent.IsDir() || strings.HasSuffix(name, ".txt") || strings.HasPrefix(name, ".") {
				continue
			}
			ps, err := loadFile(filepath.Join(dir, name))
			if err != nil {
				return nil, err
			}
			pages = append(pages, ps...)
		}
	}
	if strokes {
		var marked []page
		for _, p := range pages {
			if !p.hasGT {
				continue
			}
			for _, v := range scribble.Variants() {
				img, err := scribble.MarkImage(p.image, p.dpi, v, seed(p.name, v.Name))
				if err != nil {
					return nil, fmt.Errorf("ocrbench: mark %s: %w", p.name, err)
				}
				marked = append(marked, page{name: p.name + " " + v.Name, image: img, ext: "png", dpi: p.dpi, gt: p.gt, hasGT: true})
			}
		}
		pages = append(pages, marked...)
	}
	if len(pages) == 0 {
		return nil, errors.New("ocrbench: no pages")
	}
	for i := range pages {
		pages[i].file = filepath.Join(tmp, fmt.Sprintf("%03d.%s", i, pages[i].ext))
		if err := os.WriteFile(pages[i].file, pages[i].image, 0o600); err != nil {
			return nil, fmt.Errorf("ocrbench: %w", err)
		}
	}
	return pages, nil
}

// loadFile splits one scan and pairs its pages with NAME.gt.txt (pages
// separated by form feeds), when there is one.
func loadFile(path string) ([]page, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ocrbench: %w", err)
	}
	name := filepath.Base(path)
	split, err := scan.Split(context.Background(), data, scan.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("ocrbench: split %s: %w", name, err)
	}
	gtb, gterr := os.ReadFile(strings.TrimSuffix(path, filepath.Ext(path)) + ".gt.txt")
	gts := cer.Pages(string(gtb))
	var pages []page
	for i, sp := range split {
		p := page{name: name, image: sp.Image, ext: string(sp.Format), dpi: sp.DPIX}
		if len(split) > 1 {
			p.name = fmt.Sprintf("%s p%d", name, i+1)
		}
		if gterr == nil && i < len(gts) {
			p.gt, p.hasGT = gts[i], true
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// seed makes a page's marks depend on its name and the variant only, so a
// page is marked alike whatever else the corpus holds.
func seed(name, variant string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name + "\x00" + variant))
	return h.Sum64()
}
