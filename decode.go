package process

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	core "dappco.re/go/core"
)

// decoder reads action options strictly. The first problem is kept in err
// and names the action and the option key; later reads return zero values.
type decoder struct {
	action string
	opts   core.Options
	err    error
}

// newDecoder returns a decoder of opts for action, which accepts exactly
// the given keys: any other key is refused at once, naming the closest
// known one, so a misspelt option is never silently ignored. Each handler
// lists every key it reads. The framework's own key "_input" (what a
// task's step receives from the step before) is always allowed, and
// ignored unless listed.
func newDecoder(action string, opts core.Options, keys ...string) *decoder {
	d := &decoder{action: action, opts: opts}
	d.refuseUnknown(keys)
	return d
}

// frameworkKeys are option keys the Core itself adds to an action's
// options.
var frameworkKeys = []string{"_input"}

// refuseUnknown records a problem for the first key of opts that is not
// in keys.
func (d *decoder) refuseUnknown(keys []string) {
	for _, item := range d.opts.Items() {
		if slices.Contains(keys, item.Key) || slices.Contains(frameworkKeys, item.Key) {
			continue
		}
		if near, found := closestKey(item.Key, keys); found {
			d.err = fmt.Errorf("%s: unknown option %q (did you mean %q?)", d.action, item.Key, near)
		} else if len(keys) == 0 {
			d.err = fmt.Errorf("%s: unknown option %q (it takes no options)", d.action, item.Key)
		} else {
			d.err = fmt.Errorf("%s: unknown option %q (known options: %s)", d.action, item.Key, strings.Join(keys, ", "))
		}
		return
	}
}

// fail records the first problem with key.
func (d *decoder) fail(key, format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%s: option %q: %s", d.action, key, fmt.Sprintf(format, args...))
	}
}

// value returns the raw value of key and whether it is set (a nil value
// counts as unset).
func (d *decoder) value(key string) (any, bool) {
	if d.err != nil {
		return nil, false
	}
	r := d.opts.Get(key)
	if !r.OK || r.Value == nil {
		return nil, false
	}
	return r.Value, true
}

// has reports whether key is set.
func (d *decoder) has(key string) bool {
	_, ok := d.value(key)
	return ok
}

// require records a problem when key is not set.
func (d *decoder) require(key string) {
	if d.err == nil && !d.has(key) {
		d.fail(key, "required")
	}
}

// text reads an optional string.
func (d *decoder) text(key string) string {
	v, ok := d.value(key)
	if !ok {
		return ""
	}
	s, isString := v.(string)
	if !isString {
		d.fail(key, "want a string, got %T", v)
	}
	return s
}

// nonEmpty reads a required, non-empty string.
func (d *decoder) nonEmpty(key string) string {
	d.require(key)
	s := d.text(key)
	if d.err == nil && s == "" {
		d.fail(key, "must not be empty")
	}
	return s
}

// texts reads an optional []string, also accepting []any of strings.
func (d *decoder) texts(key string) []string {
	v, ok := d.value(key)
	if !ok {
		return nil
	}
	switch list := v.(type) {
	case []string:
		return list
	case []any:
		out := make([]string, len(list))
		for i, item := range list {
			s, isString := item.(string)
			if !isString {
				d.fail(key, "item %d: want a string, got %T", i, item)
				return nil
			}
			out[i] = s
		}
		return out
	}
	d.fail(key, "want a list of strings, got %T", v)
	return nil
}

// flag reads an optional bool.
func (d *decoder) flag(key string) bool {
	v, ok := d.value(key)
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		d.fail(key, "want a bool, got %T", v)
	}
	return b
}

// duration reads an optional, non-negative duration: a time.Duration or a
// Go duration string ("5s", "1m30s"). A bare number is refused, with the
// string forms it might have meant: 5 is five seconds to a person, five
// milliseconds or nanoseconds to code.
func (d *decoder) duration(key string) time.Duration {
	v, ok := d.value(key)
	if !ok {
		return 0
	}
	var dur time.Duration
	switch t := v.(type) {
	case time.Duration:
		dur = t
	case string:
		parsed, err := time.ParseDuration(t)
		if err != nil {
			d.fail(key, "want a duration like \"5s\" or \"250ms\", got %q", t)
			return 0
		}
		dur = parsed
	default:
		if n, isNumber := bareNumber(v); isNumber {
			d.fail(key, "a bare number is ambiguous: write %q for seconds or %q for milliseconds (a duration string, or a time.Duration), got %s", n+"s", n+"ms", n)
			return 0
		}
		d.fail(key, "want a duration string like \"5s\" or a time.Duration, got %T", v)
		return 0
	}
	if dur < 0 {
		d.fail(key, "must not be negative, got %v", dur)
		return 0
	}
	return dur
}

// bareNumber formats v when it is a number of any Go numeric type.
func bareNumber(v any) (string, bool) {
	if n, isInt := integer(v); isInt {
		return strconv.FormatInt(n, 10), true
	}
	switch f := v.(type) {
	case float64:
		return strconv.FormatFloat(f, 'g', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(f), 'g', -1, 32), true
	}
	return "", false
}

// number reads an optional integer within [lo, hi].
func (d *decoder) number(key string, lo, hi int64) int64 {
	v, ok := d.value(key)
	if !ok {
		return 0
	}
	n, isInt := integer(v)
	if !isInt {
		d.fail(key, "want an integer, got %T", v)
		return 0
	}
	if n < lo || n > hi {
		d.fail(key, "%d is out of range %d..%d", n, lo, hi)
		return 0
	}
	return n
}

// size reads an optional terminal dimension (1..65535).
func (d *decoder) size(key string) uint16 {
	return uint16(d.number(key, 1, math.MaxUint16))
}

// pid reads an optional PID; PIDs 0 and 1 and negative ones are refused.
func (d *decoder) pid(key string) int {
	return int(d.number(key, 2, math.MaxInt32))
}

// runKeys are the options of process.run and process.start.
var runKeys = []string{
	"command", "args", "dir", "env", "timeout", "grace", "detach",
	"pty", "rows", "cols", "input", "outputLimit",
}

// runOptions reads the options of process.run and process.start.
func (d *decoder) runOptions() RunOptions {
	return RunOptions{
		Command:     d.nonEmpty("command"),
		Args:        d.texts("args"),
		Dir:         d.text("dir"),
		Env:         d.texts("env"),
		Timeout:     d.duration("timeout"),
		GracePeriod: d.duration("grace"),
		Input:       d.text("input"),
		Detach:      d.flag("detach"),
		PTY:         d.flag("pty"),
		Rows:        d.size("rows"),
		Cols:        d.size("cols"),
		OutputLimit: int(d.number("outputLimit", 0, math.MaxInt)),
	}
}

// integer converts any Go integer type, or a float64 holding a whole number
// (as JSON decoding produces), to int64.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return fitUint(uint64(n))
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return fitUint(n)
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}

func fitUint(n uint64) (int64, bool) {
	if n > math.MaxInt64 {
		return 0, false
	}
	return int64(n), true
}
