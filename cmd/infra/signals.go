package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/unlimited-translation/infra/internal/engine"
)

// forceWindow: a second interrupt this soon after the first forces.
const forceWindow = 5 * time.Second

// interrupts handles SIGINT and SIGTERM (what a cancelled CI job sends)
// while an engine verb runs. The first is passed once to the Pulumi CLI,
// which finishes the operations in flight, saves the state and releases
// the lock; infra waits for it. A second one within forceWindow kills the
// CLI and says what that may leave behind.
type interrupts struct {
	stderr io.Writer
	stack  string
	ch     chan os.Signal
	done   chan struct{}

	mu     sync.Mutex
	e      *engine.Engine
	first  time.Time
	forced bool
}

func watchInterrupts(stderr io.Writer, stack string) *interrupts {
	in := &interrupts{stderr: stderr, stack: stack, ch: make(chan os.Signal, 4), done: make(chan struct{})}
	signal.Notify(in.ch, syscall.SIGINT, syscall.SIGTERM)
	go in.loop()
	return in
}

// attach names the engine to interrupt, once it is open.
func (in *interrupts) attach(e *engine.Engine) {
	in.mu.Lock()
	in.e = e
	in.mu.Unlock()
}

func (in *interrupts) stop() {
	signal.Stop(in.ch)
	close(in.done)
}

func (in *interrupts) loop() {
	for {
		select {
		case <-in.done:
			return
		case sig := <-in.ch:
			in.handle(sig)
		}
	}
}

func (in *interrupts) handle(sig os.Signal) {
	in.mu.Lock()
	defer in.mu.Unlock()
	switch {
	case in.e == nil:
		fmt.Fprintf(in.stderr, "\ninfra: %v before the stack was opened: nothing was changed\n", sig)
		os.Exit(130)
	case in.first.IsZero():
		in.first = time.Now()
		n := in.e.Interrupt()
		fmt.Fprintf(in.stderr, "\ninfra: %v: asked Pulumi (%d running) to finish the operations in flight, save the state and release the lock; waiting. Interrupt again within %s to force.\n",
			sig, n, forceWindow)
	case time.Since(in.first) <= forceWindow && !in.forced:
		in.forced = true
		in.e.Kill()
		fmt.Fprintf(in.stderr, "\ninfra: forced: Pulumi was killed mid-operation. The stack may keep its lock and pending operations, and resources created meanwhile may be missing from the state. Then: pulumi cancel --stack %[1]s --yes; pulumi refresh --clear-pending-creates --stack %[1]s --yes; check the cloud for anything created but not in the state.\n", in.stack)
	default:
		fmt.Fprintf(in.stderr, "\ninfra: still waiting for Pulumi to save the state (interrupt twice within %s to force)\n", forceWindow)
	}
}

// result turns a verb's error after an interrupt into what happened and
// how to go on.
func (in *interrupts) result(verb string, e *engine.Engine, err error) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.first.IsZero() {
		return err
	}
	if in.forced {
		return exitError{code: 130, msg: fmt.Sprintf("interrupted and forced: the state of %s may hold a lock and pending operations (see above)", in.stack)}
	}
	switch verb {
	case "up", "destroy", "refresh":
		return exitError{code: 130, msg: fmt.Sprintf("interrupted: state saved, %d operations completed, run `infra %s --stack %s` to continue", e.Completed, verb, in.stack)}
	}
	return exitError{code: 130, msg: "interrupted: nothing was changed"}
}
