package process

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// refusal collects every reason an Up call is refused, each naming the
// unit concerned.
type refusal struct {
	reasons []string
}

func (r *refusal) add(name string, index int, format string, args ...any) {
	who := fmt.Sprintf("unit %q", name)
	if name == "" {
		who = fmt.Sprintf("unit #%d", index+1)
	}
	r.reasons = append(r.reasons, who+": "+fmt.Sprintf(format, args...))
}

// err returns the refusal as one error, or nil when there is no reason.
func (r *refusal) err() error {
	if len(r.reasons) == 0 {
		return nil
	}
	return fmt.Errorf("process: up refused, nothing started: %s", strings.Join(r.reasons, "; "))
}

// prepare validates spec and returns it with its defaults filled in, and
// its compiled probes; problems go to r.
func prepare(spec UnitSpec, index int, r *refusal) (UnitSpec, *unitProbes) {
	name := spec.Name
	bad := func(format string, args ...any) { r.add(name, index, format, args...) }
	if err := checkUnitName(name); err != nil {
		bad("%v", err)
	}
	if spec.Process.Command == "" {
		bad("process command is empty")
	}
	switch spec.Restart {
	case "":
		spec.Restart = RestartNever
	case RestartNever, RestartOnFailure, RestartAlways:
	default:
		bad("unknown restart policy %q (want %q, %q or %q)", spec.Restart, RestartNever, RestartOnFailure, RestartAlways)
	}
	if spec.MaxRestarts < 0 {
		bad("negative MaxRestarts %d", spec.MaxRestarts)
	}
	if err := checkBackoff(spec.Backoff); err != nil {
		bad("backoff: %v", err)
	}
	spec.Backoff = spec.Backoff.withDefaults()
	probes := &unitProbes{}
	if spec.Ready != nil {
		c, err := compileProbe(spec.Ready, false)
		if err != nil {
			bad("ready probe: %v", err)
		} else {
			c.runAs(spec.Process)
			probes.ready = c
			probes.output = c.output
		}
	}
	if spec.Alive != nil {
		c, err := compileProbe(spec.Alive, true)
		if err != nil {
			bad("alive probe: %v", err)
		} else {
			c.runAs(spec.Process)
			probes.alive = c
		}
	}
	after := make([]Dependency, len(spec.After))
	for i, dep := range spec.After {
		switch dep.Condition {
		case "":
			dep.Condition = ConditionReady
		case ConditionStarted, ConditionReady, ConditionSucceeded:
		default:
			bad("dependency %q: unknown condition %q (want %q, %q or %q)", dep.Unit, dep.Condition, ConditionStarted, ConditionReady, ConditionSucceeded)
		}
		if dep.Unit == "" {
			bad("dependency #%d: empty unit name", i+1)
		}
		after[i] = dep
	}
	spec.After = after
	spec.Process.Args = append([]string(nil), spec.Process.Args...)
	spec.Process.Env = append([]string(nil), spec.Process.Env...)
	return spec, probes
}

// checkUnitName refuses a name that is empty or could not be used in a
// path or on a command line as is.
func checkUnitName(name string) error {
	if name == "" {
		return errors.New("name is empty")
	}
	if strings.ContainsAny(name, `/\`) || strings.IndexFunc(name, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) >= 0 {
		return fmt.Errorf("name %q contains a slash, a backslash, white space or a control character", name)
	}
	return nil
}

// checkBackoff refuses negative durations, a Factor below 1, a Jitter
// above 1, and a Max below Initial.
func checkBackoff(b Backoff) error {
	switch {
	case b.Initial < 0, b.Max < 0, b.ResetAfter < 0:
		return fmt.Errorf("negative duration (initial %v, max %v, reset after %v)", b.Initial, b.Max, b.ResetAfter)
	case b.Factor != 0 && b.Factor < 1:
		return fmt.Errorf("factor %v is below 1", b.Factor)
	case b.Jitter > 1:
		return fmt.Errorf("jitter %v is above 1", b.Jitter)
	}
	if f := b.withDefaults(); b.Max != 0 && f.Max < f.Initial {
		return fmt.Errorf("max %v is below initial %v", f.Max, f.Initial)
	}
	return nil
}
