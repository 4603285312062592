package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/sohoa-vn/sohoa/internal/station"
)

const serviceName = "sohoa-station"

// runAsService runs the agent under the service control manager when Windows started the process
// as a service (the arguments are those given to `service install`); it reports false otherwise.
func runAsService(args []string) (bool, error) {
	isService, err := svc.IsWindowsService()
	if err != nil || !isService {
		return false, nil
	}
	if len(args) > 0 && args[0] == "run" {
		args = args[1:]
	}
	o, err := parse("run", args, io.Discard)
	if err != nil {
		return true, err
	}
	if o.logFile == "" { // a service has no standard error
		o.logFile = filepath.Join(cmp.Or(o.state, filepath.Join(o.dirs.list()[0], station.StateDir)), "station.log")
	}
	return true, svc.Run(serviceName, handler{o})
}

type handler struct{ o *options }

func (h handler) Execute(_ []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, h.o, io.Discard) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case err := <-done:
			if err != nil {
				return true, 1
			}
			return false, 0
		case c := <-req:
			switch c.Cmd {
			case svc.Interrogate:
				status <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending, WaitHint: 20000}
				cancel()
				if err := <-done; err != nil {
					return true, 1
				}
				return false, 0
			}
		}
	}
}

// serviceCommand installs, removes, starts or stops the Windows service. install takes the run
// flags, checked here, which the service is started with.
func serviceCommand(args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: sohoa-station service install|remove|start|stop [run flags, for install]")
	}
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("service manager (run as Administrator): %w", err)
	}
	defer m.Disconnect()
	switch args[0] {
	case "install":
		if _, err := parse("run", args[1:], stderr); err != nil {
			return err
		}
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		if s, err := m.OpenService(serviceName); err == nil {
			s.Close()
			return fmt.Errorf("service %s exists: remove it first (sohoa-station service remove)", serviceName)
		}
		s, err := m.CreateService(serviceName, exe, mgr.Config{DisplayName: "sohoa – trạm quét (scanner station)",
			Description: "Gửi các tệp máy quét lưu vào thư mục lên hệ thống số hóa sohoa.", StartType: mgr.StartAutomatic,
			DelayedAutoStart: true}, append([]string{"run"}, args[1:]...)...)
		if err != nil {
			return fmt.Errorf("install the service: %w", err)
		}
		defer s.Close()
		restart := mgr.RecoveryAction{Type: mgr.ServiceRestart, Delay: 10 * time.Second}
		if err := s.SetRecoveryActions([]mgr.RecoveryAction{restart, restart, restart}, 24*60*60); err != nil {
			fmt.Fprintln(stderr, "warning: restart on failure not set:", err)
		}
		fmt.Fprintf(stderr, "service %s installed; start it: sohoa-station service start\n", serviceName)
		return nil
	case "remove", "start", "stop":
		s, err := m.OpenService(serviceName)
		if err != nil {
			return fmt.Errorf("service %s: %w", serviceName, err)
		}
		defer s.Close()
		switch args[0] {
		case "remove":
			return s.Delete()
		case "start":
			return s.Start()
		}
		st, err := s.Control(svc.Stop)
		for deadline := time.Now().Add(30 * time.Second); err == nil && st.State != svc.Stopped; {
			if time.Now().After(deadline) {
				return errors.New("the service did not stop within 30 s")
			}
			time.Sleep(300 * time.Millisecond)
			st, err = s.Query()
		}
		return err
	}
	return fmt.Errorf("unknown service command %q: install, remove, start or stop", args[0])
}
