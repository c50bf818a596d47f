// Command unlimited-translation is the Pulumi program: `pulumi up` runs it.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/unlimited-translation/infra/stacks"
)

func main() {
	pulumi.Run(stacks.Program)
}
