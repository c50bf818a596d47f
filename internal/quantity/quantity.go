// Package quantity parses Kubernetes resource quantities ("250m", "2Gi",
// "1.5") into plain numbers, so stack config can be validated before any
// object reaches an API server.
package quantity

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
)

// The grammar is Kubernetes' own (k8s.io/apimachinery resource.Quantity),
// restricted to the suffixes people write in manifests.
var pattern = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+)?$`)

var multipliers = map[string]*big.Rat{
	"":   big.NewRat(1, 1),
	"m":  big.NewRat(1, 1000),
	"k":  pow(10, 3),
	"M":  pow(10, 6),
	"G":  pow(10, 9),
	"T":  pow(10, 12),
	"P":  pow(10, 15),
	"E":  pow(10, 18),
	"Ki": pow(2, 10),
	"Mi": pow(2, 20),
	"Gi": pow(2, 30),
	"Ti": pow(2, 40),
	"Pi": pow(2, 50),
	"Ei": pow(2, 60),
}

func pow(base, exp int64) *big.Rat {
	return new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(base), big.NewInt(exp), nil))
}

// Parse returns the value of a quantity in base units (cores for CPU, bytes
// for memory and storage).
func Parse(s string) (float64, error) {
	m := pattern.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a Kubernetes quantity (examples: 250m, 1, 512Mi, 2Gi)", s)
	}
	n, ok := new(big.Rat).SetString(m[1])
	if !ok {
		return 0, fmt.Errorf("%q is not a Kubernetes quantity", s)
	}
	mult, ok := multipliers[m[2]]
	if !ok { // a decimal exponent: 1e3, 5E-1
		exp, err := strconv.Atoi(m[2][1:])
		if err != nil || exp > 18 || exp < -18 {
			return 0, fmt.Errorf("%q has an exponent out of range", s)
		}
		mult = new(big.Rat).SetFloat64(math.Pow10(exp))
	}
	v, _ := n.Mul(n, mult).Float64()
	return v, nil
}

// Gi is one gibibyte in bytes.
const Gi = 1 << 30

// Mi is one mebibyte in bytes.
const Mi = 1 << 20
