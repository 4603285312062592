// Command sohoa-station is the scanner-station agent: it watches the folders a scanner saves into
// and uploads every finished file to sohoa with the station's token (see internal/station). This
// package only wires flags and variables, the subcommands and the service modes.
//
//	sohoa-station [run] -server URL -token T -dir DIR…   watch and upload (the default)
//	sohoa-station status [-json] -dir DIR…               what is waiting, sent and failed
//	sohoa-station service install|remove|start|stop …     a Windows service (Windows only)
//	sohoa-station version
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/internal/station"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.0".
var version = "dev"

func main() {
	if handled, err := runAsService(os.Args[1:]); handled {
		if err != nil {
			os.Exit(1)
		}
		return
	}
	if err := command(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "sohoa-station:", err)
		}
		os.Exit(2)
	}
}

func command(args []string, stdout, stderr io.Writer) error {
	sub := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "run":
		o, err := parse("run", args, stderr)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return run(ctx, o, stderr)
	case "status":
		o, err := parse("status", args, stderr)
		if err != nil {
			return err
		}
		return status(o, stdout)
	case "service":
		return serviceCommand(args, stderr)
	case "version":
		fmt.Fprintln(stdout, "sohoa-station", version)
		return nil
	}
	return fmt.Errorf("unknown command %q: run, status, service or version", sub)
}

// options are the settings, from flags over variables over defaults.
type options struct {
	server, token, dossier, state, logFile, logLevel string
	dirs                                             dirList
	stable, poll, report, follow, stall              time.Duration
	parallel                                         int
	delete, fsnotify, json                           bool
}

// setting is one flag and its variable.
type setting struct {
	name, env, usage string
	bind             func(fs *flag.FlagSet, o *options)
}

// settings is every flag, in the order `-h` and the README's station section list them.
var settings = []setting{
	{"server", "SOHOA_STATION_SERVER", "sohoa's address, http(s)://host[:port]", func(fs *flag.FlagSet, o *options) { fs.StringVar(&o.server, "server", "", "") }},
	{"token", "SOHOA_STATION_TOKEN", "the station's API token, sohoa_<id>_<secret> (prefer the variable: flags show in process lists)", func(fs *flag.FlagSet, o *options) { fs.StringVar(&o.token, "token", "", "") }},
	{"dir", "SOHOA_STATION_DIRS", "a folder to watch; repeat the flag for more (the variable: separated by " + string(os.PathListSeparator) + ")", func(fs *flag.FlagSet, o *options) { fs.Var(&o.dirs, "dir", "") }},
	{"dossier", "SOHOA_STATION_DOSSIER", "upload every file into this dossier (its ID)", func(fs *flag.FlagSet, o *options) { fs.StringVar(&o.dossier, "dossier", "", "") }},
	{"stable", "SOHOA_STATION_STABLE", "how long a file's size and time must stay unchanged before it is taken", func(fs *flag.FlagSet, o *options) { fs.DurationVar(&o.stable, "stable", 5*time.Second, "") }},
	{"poll", "SOHOA_STATION_POLL", "how often the folders are listed", func(fs *flag.FlagSet, o *options) { fs.DurationVar(&o.poll, "poll", 2*time.Second, "") }},
	{"fsnotify", "SOHOA_STATION_FSNOTIFY", "use file system events to notice files sooner (polling goes on regardless)", func(fs *flag.FlagSet, o *options) { fs.BoolVar(&o.fsnotify, "fsnotify", true, "") }},
	{"parallel", "SOHOA_STATION_PARALLEL", "uploads at once, over all folders", func(fs *flag.FlagSet, o *options) { fs.IntVar(&o.parallel, "parallel", 2, "") }},
	{"delete", "SOHOA_STATION_DELETE", "delete a sent file instead of moving it to done/ (its receipt is still written)", func(fs *flag.FlagSet, o *options) { fs.BoolVar(&o.delete, "delete", false, "") }},
	{"state", "SOHOA_STATION_STATE", "the state folder (journal, last answer); default <dir>/" + station.StateDir + " in each folder", func(fs *flag.FlagSet, o *options) { fs.StringVar(&o.state, "state", "", "") }},
	{"report", "SOHOA_STATION_REPORT", "how often the station reports its counts to the server (0: never)", func(fs *flag.FlagSet, o *options) { fs.DurationVar(&o.report, "report", 30*time.Second, "") }},
	{"follow", "SOHOA_STATION_FOLLOW", "how long after an upload the receipt is kept up to date with the document's code and status (0: not at all)", func(fs *flag.FlagSet, o *options) { fs.DurationVar(&o.follow, "follow", 2*time.Hour, "") }},
	{"stall", "SOHOA_STATION_STALL", "cut an upload when no byte of it has gone out for this long", func(fs *flag.FlagSet, o *options) { fs.DurationVar(&o.stall, "stall", 2*time.Minute, "") }},
	{"log", "SOHOA_STATION_LOG", "append the log to this file (default: standard error; as a Windows service: <state>/station.log)", func(fs *flag.FlagSet, o *options) { fs.StringVar(&o.logFile, "log", "", "") }},
	{"log-level", "SOHOA_STATION_LOG_LEVEL", "debug, info, warn or error", func(fs *flag.FlagSet, o *options) { fs.StringVar(&o.logLevel, "log-level", "info", "") }},
}

// parse reads the variables, then args; for status, -json too.
func parse(name string, args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("sohoa-station "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, s := range settings {
		s.bind(fs, o)
		fs.Lookup(s.name).Usage = s.usage + " ($" + s.env + ")"
	}
	if name == "status" {
		fs.BoolVar(&o.json, "json", false, "print the status as JSON")
	}
	for _, s := range settings {
		v, ok := os.LookupEnv(s.env)
		if !ok || v == "" {
			continue
		}
		if s.name == "dir" {
			o.dirs.env = filepath.SplitList(v)
			continue
		}
		if err := fs.Set(s.name, v); err != nil {
			return nil, fmt.Errorf("$%s: %w", s.env, err)
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected %q: folders are given with -dir", fs.Arg(0))
	}
	if len(o.dirs.list()) == 0 {
		return nil, errors.New("no folder to watch: give -dir DIR (or $SOHOA_STATION_DIRS)")
	}
	return o, nil
}

// dirList is the repeatable -dir; the command line replaces the variable's list.
type dirList struct{ flags, env []string }

func (d *dirList) String() string     { return strings.Join(d.list(), string(os.PathListSeparator)) }
func (d *dirList) Set(v string) error { d.flags = append(d.flags, v); return nil }
func (d *dirList) list() []string {
	if len(d.flags) > 0 {
		return d.flags
	}
	return d.env
}

func (o *options) logger(stderr io.Writer) (*slog.Logger, io.Closer, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, nil, fmt.Errorf("-log-level: %w", err)
	}
	out, closer := stderr, io.Closer(io.NopCloser(nil))
	if o.logFile != "" {
		if err := os.MkdirAll(filepath.Dir(o.logFile), 0o750); err != nil {
			return nil, nil, err
		}
		rotate(o.logFile, 20<<20)
		f, err := os.OpenFile(o.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
		if err != nil {
			return nil, nil, fmt.Errorf("log file: %w", err)
		}
		out, closer = f, f
	}
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level})), closer, nil
}

// rotate keeps one older log (FILE.1) once the log is over limit bytes at a start.
func rotate(file string, limit int64) {
	if info, err := os.Stat(file); err == nil && info.Size() > limit {
		os.Rename(file, file+".1")
	}
}

func run(ctx context.Context, o *options, stderr io.Writer) error {
	log, closer, err := o.logger(stderr)
	if err != nil {
		return err
	}
	defer closer.Close()
	if o.token == "" {
		err := errors.New("no token: set $SOHOA_STATION_TOKEN (on the server: sohoa tokens add <station account>)")
		log.Error("station cannot start", "err", err)
		return err
	}
	if !strings.HasPrefix(o.token, "sohoa_") {
		log.Warn("the token does not look like one of sohoa's (sohoa_<id>_<secret>)")
	}
	host, _ := os.Hostname()
	client := &station.Client{Server: strings.TrimRight(o.server, "/"), Token: o.token, Dossier: o.dossier,
		UserAgent: "sohoa-station/" + version, HTTP: station.NewHTTP(), Stall: o.stall}
	agent, err := station.New(station.Config{Server: client.Server, Dossier: o.dossier, Dirs: o.dirs.list(), State: o.state,
		Stable: o.stable, Poll: o.poll, Report: o.report, Follow: o.follow, Parallel: o.parallel, Delete: o.delete,
		FSNotify: o.fsnotify, Version: version, Host: host, Grace: 10 * time.Second}, client, clock.Real{}, log)
	if err != nil {
		log.Error("station cannot start", "err", err) // under a service, the log is all there is
		return err
	}
	client.Answered = func() { agent.Health().Answered(time.Now()) }
	return agent.Run(ctx)
}

func status(o *options, stdout io.Writer) error {
	now := time.Now()
	st, err := station.ReadStatus(o.dirs.list(), o.state, now)
	if err != nil {
		return err
	}
	if o.json {
		e := json.NewEncoder(stdout)
		e.SetIndent("", "  ")
		return e.Encode(st)
	}
	_, err = io.WriteString(stdout, st.Text(now))
	return err
}
