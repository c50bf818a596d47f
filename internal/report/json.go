package report

import (
	"bytes"
	"encoding/json"
)

// JSONSchemaVersion of the change report JSON (docs/change-json.md).
const JSONSchemaVersion = 1

type jsonReports struct {
	SchemaVersion int          `json:"schemaVersion"`
	Kind          string       `json:"kind"`
	Stacks        []jsonReport `json:"stacks"`
}

type jsonReport struct {
	Stack   string         `json:"stack"`
	Base    string         `json:"base,omitempty"`
	Head    string         `json:"head,omitempty"`
	Error   string         `json:"error,omitempty"`
	Summary map[string]int `json:"summary"`
	AtRisk  []string       `json:"atRisk"`
	Blocked []string       `json:"blocked"`
	Config  []ConfigChange `json:"config"`
	Changes []jsonChange   `json:"changes"`
	Cost    *Cost          `json:"cost,omitempty"`
}

type jsonChange struct {
	URN      string     `json:"urn"`
	Type     string     `json:"type"`
	Name     string     `json:"name"`
	Op       string     `json:"op"`
	Mode     string     `json:"mode,omitempty"`
	Replaces []string   `json:"replaces"`
	Reasons  []string   `json:"reasons"`
	Risks    []Risk     `json:"risks"`
	Blocked  string     `json:"blocked,omitempty"`
	Unlock   string     `json:"unlock,omitempty"`
	Note     string     `json:"note,omitempty"`
	Props    []jsonProp `json:"properties"`
}

type jsonProp struct {
	Path   string `json:"path"`
	Old    string `json:"old,omitempty"`
	New    string `json:"new,omitempty"`
	Secret bool   `json:"secret,omitempty"`
}

// JSON renders reports for other tools: per stack the counts, what is at
// risk, what will fail, the config that changed and every change with its
// operation, reasons and risks. Secret values never appear, not even
// masked: a secret property says only that it changed.
func JSON(reps []*Report) ([]byte, error) {
	out := jsonReports{SchemaVersion: JSONSchemaVersion, Stacks: []jsonReport{}}
	for _, r := range reps {
		out.Kind = r.Kind
		jr := jsonReport{Stack: r.Stack, Base: r.Base, Head: r.Head, Error: r.Err, Summary: map[string]int{},
			AtRisk: nonNil(r.AtRisk()), Blocked: []string{}, Config: r.Config, Changes: []jsonChange{}, Cost: r.Cost}
		if jr.Config == nil {
			jr.Config = []ConfigChange{}
		}
		for _, op := range []string{"create", "update", "replace", "delete", "read", "forget"} {
			jr.Summary[op] = r.Counts()[op]
		}
		jr.Summary["same"] = r.Same + r.Counts()["same"]
		for _, c := range r.Blocked() {
			jr.Blocked = append(jr.Blocked, c.URN)
		}
		for _, c := range r.Changes {
			jc := jsonChange{URN: c.URN, Type: c.Type, Name: c.Label(), Op: c.Op, Mode: c.Mode,
				Replaces: nonNil(c.Replaces), Reasons: nonNil(c.Reasons), Risks: c.Risks,
				Blocked: c.Blocked, Unlock: c.Unlock, Note: c.Note, Props: []jsonProp{}}
			if jc.Risks == nil {
				jc.Risks = []Risk{}
			}
			for _, p := range c.Props {
				jp := jsonProp{Path: p.Path, Old: p.Old, New: p.New, Secret: p.Secret}
				if p.Secret {
					jp.Old, jp.New = "", ""
				}
				jc.Props = append(jc.Props, jp)
			}
			jr.Changes = append(jr.Changes, jc)
		}
		out.Stacks = append(out.Stacks, jr)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(out)
	return buf.Bytes(), err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
