// Package termquiet keeps the terminal free of colour queries while the
// binary's packages initialise. bubbletea (pulled in by the Pulumi SDK)
// asks lipgloss at init whether the background is dark, and on a terminal
// that does not answer that costs termenv's 5 s timeout, for every command,
// `--help` included, while writing ESC]11;? and ESC[6n to the screen. infra
// draws no Lip Gloss colours, so the answer is never needed.
//
// It is a module of its own, replaced into the main module, only for its
// import path: Go initialises packages in import-path order among those
// whose imports are done (Go 1.21 spec, "Package initialization"), and
// early.invalid sorts before github.com/charmbracelet, so this init runs
// first. It sets TERM=dumb, which termenv never queries; Restore, the first
// thing main does, puts the user's TERM back for the processes infra runs.
package termquiet

import "os"

var term, hadTerm = os.LookupEnv("TERM")

func init() { os.Setenv("TERM", "dumb") }

// Restore gives TERM back its value before the binary started.
func Restore() {
	if hadTerm {
		os.Setenv("TERM", term)
	} else {
		os.Unsetenv("TERM")
	}
}
