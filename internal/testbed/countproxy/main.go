// Command countproxy is testbed.Proxy on its own: a loopback proxy in front
// of moto that counts the API calls passing through. The idle benchmark
// (scripts/bench-idle) puts it between deckhand and moto; SIGUSR1 prints
// the counts so far and resets them, SIGUSR2 toggles a throttling storm.
// With --trace FILE it also writes one line per forwarded call: the wall
// clock time it arrived (unix seconds), how long moto took, the operation
// (scripts/bench-first-rows lines these up with its key press).
//
//	go run ./internal/testbed/countproxy --listen 127.0.0.1:5001 --target http://127.0.0.1:5000
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"deckhand/internal/testbed"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:5001", "loopback `address` to listen on")
	target := flag.String("target", "http://127.0.0.1:5000", "endpoint `URL` to forward to")
	trace := flag.String("trace", "", "write each forwarded call's arrival time, duration and operation to `FILE`")
	flag.Parse()
	p, err := testbed.NewProxy(*target)
	if err != nil {
		fmt.Fprintln(os.Stderr, "countproxy:", err)
		os.Exit(2)
	}
	if *trace != "" {
		f, err := os.Create(*trace)
		if err != nil {
			fmt.Fprintln(os.Stderr, "countproxy:", err)
			os.Exit(2)
		}
		var mu sync.Mutex
		p.SetTrace(func(op string, at time.Time, took time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(f, "%d.%09d %7.3f %s\n", at.Unix(), at.Nanosecond(), took.Seconds(), op)
		})
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		throttle := false
		for s := range sig {
			if s == syscall.SIGUSR2 {
				throttle = !throttle
				p.SetThrottle(throttle)
				fmt.Printf("throttle %v\n", throttle)
				continue
			}
			fmt.Printf("total %d refused %d\n", p.Total(), p.Refused())
			for _, l := range p.Ops() {
				fmt.Println(" ", l)
			}
			p.Reset()
		}
	}()
	if err := http.ListenAndServe(*listen, p); err != nil {
		fmt.Fprintln(os.Stderr, "countproxy:", err)
		os.Exit(1)
	}
}
