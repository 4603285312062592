//go:build !windows

package main

import (
	"errors"
	"io"
)

// runAsService is false here: under systemd the agent runs in the foreground (deploy/sohoa-station.service).
func runAsService([]string) (bool, error) { return false, nil }

func serviceCommand([]string, io.Writer) error {
	return errors.New("service commands are for Windows; on Linux install deploy/sohoa-station.service as a systemd unit")
}
