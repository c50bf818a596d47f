package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/unlimited-translation/infra/internal/cost"
	"github.com/unlimited-translation/infra/internal/prices"
)

func newCostCmd() *cobra.Command {
	var (
		stack, dir, priceFile string
		asJSON                bool
	)
	cmd := &cobra.Command{
		Use:   "cost --stack NAME",
		Short: "Price a stack offline, line by line, per month and per day (no cloud or credentials)",
		Long: `cost evaluates the stack like 'infra plan' and prices what it would run at
list prices: the cluster fee and free tier, each workload's pods as
Autopilot bills them, the load balancer, address, DNS zone, data disk,
backups and Cloud NAT. Lines that rest on an assumption are marked.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if stack == "" {
				return usageError{errors.New("--stack is required (e.g. infra cost --stack dev)")}
			}
			list := prices.Default
			if priceFile != "" {
				var err error
				if list, err = prices.Load(priceFile); err != nil {
					return err
				}
			}
			e, err := cost.ForStack(dir, stack, nil, list)
			if err != nil {
				return err
			}
			if !asJSON {
				fmt.Fprint(cmd.OutOrStdout(), e.Table())
				return nil
			}
			b, err := e.JSON()
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(b)
			return err
		},
	}
	cmd.Flags().StringVarP(&stack, "stack", "s", "", "stack to price (a Pulumi.<stack>.yaml must exist)")
	cmd.Flags().StringVar(&dir, "dir", ".", "project directory holding Pulumi.yaml")
	cmd.Flags().StringVar(&priceFile, "prices", "", "price list `FILE` instead of the built-in one (same shape as internal/prices/prices.json)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the estimate as JSON")
	return cmd
}
