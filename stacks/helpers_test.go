package stacks_test

import (
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func mockstackKey(k string) resource.PropertyKey { return resource.PropertyKey(k) }

func itoa(i int) string { return strconv.Itoa(i) }
