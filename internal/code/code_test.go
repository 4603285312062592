package code

import (
	"strings"
	"testing"
	"time"
)

func TestDossier(t *testing.T) {
	// 17:30 UTC on 20 Sep 2022 is already 21 Sep in Vietnam: the day is Vietnam's.
	at := time.Date(2022, 9, 20, 17, 30, 0, 0, time.UTC)
	got, err := Dossier("000.00.53.H48", at, 99)
	if err != nil {
		t.Fatal(err)
	}
	if want := "000.00.53.H48-220921-0099"; got != want {
		t.Errorf("Dossier = %q, want %q", got, want)
	}
	p, err := ParseDossier(got)
	if err != nil {
		t.Fatal(err)
	}
	if p.Agency != "000.00.53.H48" || p.Seq != 99 || p.Day.Format("2006-01-02") != "2022-09-21" {
		t.Errorf("ParseDossier(%q) = %+v", got, p)
	}
}

func TestDossierRefuses(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 0, 0, 0, Vietnam)
	for _, c := range []struct {
		agency string
		seq    int
		want   string
	}{
		{"000.00.53.H48", 0, "outside"},
		{"000.00.53.H48", MaxDaily + 1, "outside"},
		{"H48", 1, "QCVN"},
		{"000.00.53.h48", 1, "QCVN"},
		{"000.00.53.H48 ", 1, "QCVN"},
	} {
		_, err := Dossier(c.agency, at, c.seq)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Dossier(%q, %d) error = %v, want one mentioning %q", c.agency, c.seq, err, c.want)
		}
	}
}

func TestParseDossierRefuses(t *testing.T) {
	for _, c := range []string{"", "000.00.53.H48-220921-0000", "000.00.53.H48-221321-0001", "000.00.53.H48-220921-12345", "x000.00.53.H48-220921-0001"} {
		if _, err := ParseDossier(c); err == nil {
			t.Errorf("ParseDossier(%q) accepted a malformed code", c)
		}
	}
}

func TestComponent(t *testing.T) {
	if c, err := Component("000.00.00.G09", "KQ", 2269); err != nil || c != "000.00.00.G09-KQ002269" {
		t.Errorf("Component = %q, %v", c, err)
	}
	for _, bad := range []struct {
		series string
		seq    int
	}{{"kq", 1}, {"KQX", 1}, {"TP", 0}, {"TP", 1000000}} {
		if _, err := Component("000.00.00.G09", bad.series, bad.seq); err == nil {
			t.Errorf("Component(%q, %d) accepted", bad.series, bad.seq)
		}
	}
}
