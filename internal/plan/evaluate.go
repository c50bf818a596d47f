package plan

import (
	"context"
	"fmt"
	"net"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// Evaluate runs program as stack of project in dry-run mode against an
// in-process monitor on 127.0.0.1 and returns what it registered. config
// holds full keys; secretKeys lists those stored encrypted.
func Evaluate(project, stack, root string, config map[string]string, secretKeys []string, program pulumi.RunFunc) (*Plan, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the in-process engine: %w", err)
	}
	m := &monitor{
		stack:     tokens.QName(stack),
		project:   tokens.PackageName(project),
		resources: map[resource.URN]*Resource{},
		outputs:   map[resource.URN]resource.PropertyMap{},
	}
	srv := grpc.NewServer()
	pulumirpc.RegisterResourceMonitorServer(srv, m)
	pulumirpc.RegisterEngineServer(srv, m)
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	addr := lis.Addr().String()
	info := pulumi.RunInfo{
		Project:          project,
		Stack:            stack,
		RootDirectory:    root,
		Config:           config,
		ConfigSecretKeys: secretKeys,
		Parallel:         1,
		DryRun:           true,
		MonitorAddr:      addr,
		EngineAddr:       addr,
	}
	ctx, err := pulumi.NewContext(context.Background(), info)
	if err != nil {
		return nil, fmt.Errorf("starting the program: %w", err)
	}
	runErr := pulumi.RunWithContext(ctx, program)
	_ = ctx.Close()
	if runErr != nil {
		return nil, runErr
	}

	p := &Plan{Project: project, Stack: stack}
	for _, r := range m.resources {
		p.Resources = append(p.Resources, r)
	}
	sort.Slice(p.Resources, func(i, j int) bool { return p.Resources[i].URN < p.Resources[j].URN })
	if root := p.Root(); root != nil {
		p.Outputs = m.outputs[resource.URN(root.URN)]
	}
	return p, nil
}
