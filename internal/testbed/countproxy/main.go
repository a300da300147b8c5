// Command countproxy is testbed.Proxy on its own: a loopback proxy in front
// of moto that counts the API calls passing through. The idle benchmark
// (scripts/bench-idle) puts it between deckhand and moto; SIGUSR1 prints
// the counts so far and resets them, SIGUSR2 toggles a throttling storm.
//
//	go run ./internal/testbed/countproxy --listen 127.0.0.1:5001 --target http://127.0.0.1:5000
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"deckhand/internal/testbed"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:5001", "loopback `address` to listen on")
	target := flag.String("target", "http://127.0.0.1:5000", "endpoint `URL` to forward to")
	flag.Parse()
	p, err := testbed.NewProxy(*target)
	if err != nil {
		fmt.Fprintln(os.Stderr, "countproxy:", err)
		os.Exit(2)
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
