// The bootstrap program, for plain `pulumi up` in this folder, once per
// GCP project, by a project owner:
//
//	pulumi stack init my-project
//	pulumi config set gcp:project my-project
//	pulumi config set github OWNER/REPO
//	pulumi up
//
// infra bootstrap --project P --github OWNER/REPO does the same.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/unlimited-translation/infra/stacks/bootstrap"
)

func main() { pulumi.Run(bootstrap.Program) }
