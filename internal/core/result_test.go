package core

import (
	"errors"
	"testing"
)

func TestResult_New_MapsValueErrorPairs(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name   string
		args   []any
		wantOK bool
		want   any
	}{
		{"value and nil error", []any{"v", nil}, true, "v"},
		{"value and error", []any{"v", boom}, false, boom},
		{"single value", []any{42}, true, 42},
		{"single error", []any{boom}, false, boom},
		{"single nil error", []any{error(nil)}, true, nil},
		{"three values, error last", []any{1, 2, boom}, false, boom},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Result{}.New(tc.args...)
			if r.OK != tc.wantOK || r.Value != tc.want {
				t.Fatalf("New(%v) = %+v, want {Value:%v OK:%v}", tc.args, r, tc.want, tc.wantOK)
			}
			if r2 := (Result{}).Result(tc.args...); r2 != r {
				t.Fatalf("Result(%v) = %+v, want %+v", tc.args, r2, r)
			}
		})
	}
}

func TestResult_NoArgs_ReturnsReceiver(t *testing.T) {
	r := Result{Value: "x", OK: true}
	if r.New() != r || r.Result() != r {
		t.Fatal("no-arg New/Result must return the receiver")
	}
}

func TestResult_Get_KeepsFailureValue(t *testing.T) {
	ok := Result{Value: 1, OK: true}
	if ok.Get() != ok {
		t.Fatal("Get of an OK result must return it")
	}
	boom := errors.New("boom")
	if g := (Result{Value: boom}).Get(); g.OK || g.Value != boom {
		t.Fatalf("Get of a failed result = %+v", g)
	}
}
