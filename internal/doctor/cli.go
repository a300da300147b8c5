package doctor

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Source is everything the doctor reads: both backends have it.
type Source interface {
	ServiceSource
	InstanceSource
}

// The exit codes of RunCLI.
const (
	ExitHealthy = 0
	ExitWrong   = 1 // the doctor found something wrong
	ExitError   = 2 // bad arguments, or the resource could not be read
)

// Usage is the headless command's help.
const Usage = `usage: deckhand doctor service CLUSTER/NAME [account flags]
       deckhand doctor instance ID|NAME [--from CIDR] [--port N]... [account flags]

Says why a service or an instance is not healthy: one verdict, then each
finding (root cause first) with its evidence, how sure it is and the fix.
Exit code 0 when healthy, 1 when something is wrong, 2 on bad arguments or
when the resource cannot be read.

  --from CIDR   your address, to check the instance's security groups let
                you in (e.g. 203.0.113.7/32; the sandbox uses 127.0.0.1/32)
  --port N      a port you expect to reach on the instance (repeatable;
                default 22 when it has a key pair)
`

// CLIOptions is what the caller (cmd/deckhand) knows: the account's CLI
// line builder, whether it is the sandbox, and the home directory where
// key pairs are looked for.
type CLIOptions struct {
	CLI     CLI
	Sandbox bool
	Home    string
	Now     func() time.Time
}

// RunCLI runs `deckhand doctor` on args (after "doctor", without the
// account flags, which the caller parsed): the report on stdout, errors
// on stderr, and the exit code.
func RunCLI(ctx context.Context, src Source, args []string, o CLIOptions, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "")
	var ports portList
	fs.Var(&ports, "port", "")
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return usage(stderr, err.Error())
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Home == "" {
		o.Home, _ = os.UserHomeDir()
	}
	fromGiven := *from != ""
	if *from != "" {
		if p, err := netip.ParsePrefix(*from); err != nil {
			return usage(stderr, "--from "+strconv.Quote(*from)+" is not a CIDR: give your address as 203.0.113.7/32")
		} else {
			*from = p.String()
		}
	} else if o.Sandbox {
		*from = "127.0.0.1/32"
	}
	if len(pos) != 2 {
		return usage(stderr, "doctor takes what to examine and which one: service CLUSTER/NAME or instance ID")
	}
	var r Report
	switch pos[0] {
	case "service", "svc":
		cluster, name, ok := strings.Cut(pos[1], "/")
		if !ok || cluster == "" || name == "" {
			return usage(stderr, "service "+strconv.Quote(pos[1])+": give it as CLUSTER/NAME, e.g. demo/web")
		}
		if fromGiven || len(ports) > 0 {
			return usage(stderr, "--from and --port are for instances")
		}
		in, unread, err := GatherService(ctx, src, cluster, name, o.Now())
		if err != nil {
			return failed(stderr, err)
		}
		in.CLI = o.CLI
		r = Service(in, unread)
	case "instance", "ec2":
		in, unread, err := GatherInstance(ctx, src, pos[1], *from, ports, o.Home, o.Now())
		if err != nil {
			return failed(stderr, err)
		}
		in.CLI = o.CLI
		r = Instance(in, unread)
	default:
		return usage(stderr, "doctor examines a service or an instance, not "+strconv.Quote(pos[0]))
	}
	for _, l := range r.Text(time.Local) {
		fmt.Fprintln(stdout, l)
	}
	if r.Healthy {
		return ExitHealthy
	}
	return ExitWrong
}

func usage(stderr io.Writer, why string) int {
	fmt.Fprintf(stderr, "deckhand doctor: %s\n\n%s", why, Usage)
	return ExitError
}

func failed(stderr io.Writer, err error) int {
	var nf ErrNotFound
	if errors.As(err, &nf) {
		fmt.Fprintf(stderr, "deckhand doctor: %s (check the name, the region and the account)\n", nf.Error())
		return ExitError
	}
	fmt.Fprintf(stderr, "deckhand doctor: could not read it: %v\n", err)
	return ExitError
}

// portList is --port, repeatable.
type portList []int32

func (p *portList) String() string { return fmt.Sprint(*p) }
func (p *portList) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("--port %q: give a port from 1 to 65535", s)
	}
	*p = append(*p, int32(n))
	return nil
}
