package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFlagsOverVariablesOverDefaults(t *testing.T) {
	t.Setenv("SOHOA_STATION_DIRS", strings.Join([]string{"/a", "/b"}, string(os.PathListSeparator)))
	t.Setenv("SOHOA_STATION_STABLE", "9s")
	t.Setenv("SOHOA_STATION_SERVER", "http://env")
	t.Setenv("SOHOA_STATION_FSNOTIFY", "false")
	o, err := parse("run", []string{"-server", "http://flag"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.dirs.list(), []string{"/a", "/b"}) || o.stable != 9*time.Second || o.server != "http://flag" ||
		o.fsnotify || o.poll != 2*time.Second || o.parallel != 2 {
		t.Errorf("%+v", o)
	}
	o, _ = parse("run", []string{"-dir", "/c", "-dir", "/d"}, io.Discard)
	if !slices.Equal(o.dirs.list(), []string{"/c", "/d"}) {
		t.Errorf("the flags did not replace the variable's folders: %v", o.dirs.list())
	}
	t.Setenv("SOHOA_STATION_POLL", "often")
	if _, err := parse("run", nil, io.Discard); err == nil || !strings.Contains(err.Error(), "SOHOA_STATION_POLL") {
		t.Errorf("a bad variable: %v", err)
	}
}

func TestEverySettingIsDocumented(t *testing.T) {
	// The README's station section is what a province's IT staff follow.
	doc, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if !strings.Contains(string(doc), "`-"+s.name) || !strings.Contains(string(doc), "`"+s.env+"`") {
			t.Errorf("the README does not list -%s and $%s", s.name, s.env)
		}
	}
}
