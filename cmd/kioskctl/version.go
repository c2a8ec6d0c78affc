package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

func init() {
	register("version", "show the build", "show", &subcommand{
		usage:   "show",
		summary: "print the module version and Go version",
		run: func(args []string, stdout, _ io.Writer) error {
			if len(args) > 0 {
				return errUsage
			}
			v, mod := "unknown", "unknown"
			if bi, ok := debug.ReadBuildInfo(); ok {
				v, mod = bi.GoVersion, bi.Main.Path
			}
			fmt.Fprintf(stdout, "%s built with %s\n", mod, v)
			return nil
		},
	})
}
