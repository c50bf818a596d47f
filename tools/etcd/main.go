// Command etcd is etcd v3.5 built from its Go module, for the test
// control plane (tools/controlplane).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
