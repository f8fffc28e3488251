package core

import (
	"fmt"
	"strconv"
)

// quote returns s in double quotes with Go escaping.
func quote(s string) string { return strconv.Quote(s) }

// sprint formats v like fmt.Sprint; used on failure paths only.
func sprint(v ...any) string { return fmt.Sprint(v...) }
