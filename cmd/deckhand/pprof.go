package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

// startPprof serves Go's profiler on DECKHAND_PPROF (a loopback address,
// e.g. 127.0.0.1:6060) when it is set: the idle benchmark (scripts/bench-idle)
// takes a CPU and heap profile of the built binary through it, which is
// how issue 8's costs were found. Loopback only, since a profile shows
// the process's memory; not on by default.
func startPprof() {
	addr := os.Getenv("DECKHAND_PPROF")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		slog.Warn("DECKHAND_PPROF ignored: give a loopback address such as 127.0.0.1:6060", "value", addr)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	go func() {
		if err := http.ListenAndServe(addr, mux); err != nil {
			slog.Warn("DECKHAND_PPROF", "err", fmt.Sprint(err))
		}
	}()
}
