package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/storage"
)

// accountCommand runs `sohoa users|tokens|agencies|audit …` on the accounts store, writing to out
// (a token is the last line of `tokens add`, for scripts) and reading a password from in.
func accountCommand(ctx context.Context, s accountStore, defaultAgency string, args []string, in io.Reader, out io.Writer) error {
	if len(args) < 2 {
		return errors.New(accountUsage)
	}
	c := accountCmd{s: s, agency: defaultAgency, in: in, out: out}
	switch args[0] + " " + args[1] {
	case "users add":
		return c.addUser(ctx, args[2:])
	case "users list":
		return c.listUsers(ctx)
	case "users disable":
		return c.withName(args[2:], func(name string) error { return s.Disable(ctx, name) })
	case "users passwd":
		return c.passwd(ctx, args[2:])
	case "tokens add":
		return c.withName(args[2:], func(name string) error { return c.addToken(ctx, name) })
	case "tokens list":
		return c.listTokens(ctx)
	case "tokens revoke":
		return c.withName(args[2:], func(id string) error { return s.RevokeToken(ctx, id) })
	case "agencies add":
		return c.addAgency(ctx, args[2:])
	case "agencies import":
		return c.withName(args[2:], func(file string) error { return c.importFile(ctx, file, importAgencies) })
	case "procedures import":
		return c.withName(args[2:], func(file string) error { return c.importFile(ctx, file, importProcedures) })
	case "audit verify":
		return c.verify(ctx)
	}
	return errors.New(accountUsage)
}

const accountUsage = `usage:
  sohoa users add NAME --role station|clerk|archivist|auditor|admin [--agency ID] [--password-stdin]
  sohoa users list | users disable NAME | users passwd NAME [--password-stdin]
  sohoa tokens add NAME | tokens list | tokens revoke ID
  sohoa agencies add ID NAME [--parent ID] | agencies import FILE.csv
  sohoa procedures import FILE.csv
  sohoa audit verify`

// accountStore is what the account commands use.
type accountStore interface {
	storage.Accounts
	storage.Trail
	storage.Catalogue
}

type accountCmd struct {
	s      accountStore
	agency string
	in     io.Reader
	out    io.Writer
}

// parse parses flags that may come before or after the positional arguments, as the commands are
// written (`users add NAME --role clerk`), and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
}

func (c accountCmd) withName(args []string, f func(string) error) error {
	if len(args) != 1 {
		return errors.New(accountUsage)
	}
	return f(args[0])
}

// passwordHash reads a password from the first line of in when fromStdin, or makes one and prints
// it, and returns its hash.
func (c accountCmd) passwordHash(fromStdin bool) (string, error) {
	p := account.NewPassword()
	if fromStdin {
		line, err := bufio.NewReader(c.in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read the password: %w", err)
		}
		if p = strings.TrimRight(line, "\r\n"); account.CheckPasswordRule(p) != nil {
			return "", account.CheckPasswordRule(p)
		}
	} else {
		fmt.Fprintf(c.out, "mật khẩu (password): %s\n", p)
	}
	return account.HashPassword(p)
}

// oneName parses fs's flags around exactly one positional argument, and returns it.
func oneName(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parse(fs, args)
	if err == nil && len(pos) != 1 {
		err = errors.New(accountUsage)
	}
	if err != nil {
		return "", err
	}
	return pos[0], nil
}

func (c accountCmd) addUser(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("users add", flag.ContinueOnError)
	roleName := fs.String("role", "", "station, clerk, archivist, auditor or admin")
	agency := fs.String("agency", c.agency, "the account's agency (QCVN 102 identifier)")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	name, err := oneName(fs, args)
	if err != nil {
		return err
	}
	role, err := account.ParseRole(*roleName)
	if err != nil {
		return err
	}
	hash, err := c.passwordHash(*stdin)
	if err != nil {
		return err
	}
	a, err := c.s.CreateAccount(ctx, storage.NewAccount{Name: name, Role: string(role), Agency: *agency, PasswordHash: hash})
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no agency %s: add it with sohoa agencies add %s NAME", *agency, *agency)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "đã tạo tài khoản %s (%s, %s)\n", a.Name, role.Label(), a.Agency)
	return nil
}

func (c accountCmd) passwd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("users passwd", flag.ContinueOnError)
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	name, err := oneName(fs, args)
	if err != nil {
		return err
	}
	hash, err := c.passwordHash(*stdin)
	if err != nil {
		return err
	}
	return c.s.SetPassword(ctx, name, hash)
}

func (c accountCmd) listUsers(ctx context.Context) error {
	list, err := c.s.ListAccounts(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tAGENCY\tSTATE")
	for _, a := range list {
		state := "active"
		switch {
		case a.Disabled:
			state = "disabled"
		case a.LockedUntil != nil && time.Now().Before(*a.LockedUntil):
			state = "locked until " + a.LockedUntil.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, a.Role, a.Agency, state)
	}
	return tw.Flush()
}

func (c accountCmd) addToken(ctx context.Context, name string) error {
	tok, id, hash := account.NewToken()
	if _, err := c.s.AddToken(ctx, name, id, hash); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "token %s of %s; it is shown once, keep it secret:\n%s\n", id, name, tok)
	return nil
}

func (c accountCmd) listTokens(ctx context.Context) error {
	list, err := c.s.ListTokens(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tACCOUNT\tCREATED\tLAST USED\tREVOKED")
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Format(time.RFC3339)
	}
	for _, t := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Account, t.CreatedAt.Format(time.RFC3339), day(t.UsedAt), day(t.RevokedAt))
	}
	return tw.Flush()
}

func (c accountCmd) addAgency(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("agencies add", flag.ContinueOnError)
	parent := fs.String("parent", "", "the agency it is under")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errors.New(accountUsage)
	}
	return c.s.EnsureAgency(ctx, pos[0], pos[1], *parent)
}

// verify recomputes the access trail's chain; a broken one is an error naming the first event
// that is not what was written.
func (c accountCmd) verify(ctx context.Context) error {
	n, err := storage.VerifyTrail(ctx, c.s)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "nhật ký truy cập nguyên vẹn: %d sự kiện (access trail intact: %d events)\n", n, n)
	return nil
}

// runAccountCommand opens the records store for an account command.
func runAccountCommand(ctx context.Context, open func(context.Context) (*storage.Postgres, error), agency string, args []string) error {
	p, err := open(ctx)
	if err != nil {
		return err
	}
	defer p.Close()
	return accountCommand(ctx, p, agency, args, os.Stdin, os.Stdout)
}
