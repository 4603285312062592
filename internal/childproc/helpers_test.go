package childproc

import (
	"os"
	"strconv"
	"strings"
)

func osArgs0() string { return os.Args[0] }

// isZombie reports whether pid has died and waits for a reaper that is not this process.
func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, after, ok := strings.Cut(string(b), ") ")
	return ok && strings.HasPrefix(after, "Z")
}
