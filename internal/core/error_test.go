package core

import (
	"errors"
	"io"
	"testing"
)

func TestE_BuildsErrWithCause(t *testing.T) {
	err := E("fs.Read", "cannot read", io.EOF)
	var e *Err
	if !errors.As(err, &e) {
		t.Fatal("E must return an *Err")
	}
	if e.Operation != "fs.Read" || e.Message != "cannot read" || e.Cause != io.EOF {
		t.Fatalf("fields = %+v", e)
	}
	if err.Error() != "fs.Read: cannot read: EOF" {
		t.Fatalf("Error() = %q", err.Error())
	}
	if !Is(err, io.EOF) {
		t.Fatal("Is must see the cause through Unwrap")
	}
	if E("", "plain", nil).Error() != "plain" {
		t.Fatal("empty op and nil cause must be omitted")
	}
}

func TestWrap_NilStaysNilAndCodeIsKept(t *testing.T) {
	if Wrap(nil, "op", "msg") != nil {
		t.Fatal("Wrap(nil) must be nil")
	}
	inner := &Err{Operation: "a", Message: "m", Code: "X"}
	w := Wrap(inner, "b", "outer")
	var e *Err
	if !As(w, &e) || e.Code != "X" || e.Operation != "b" || !Is(w, inner) {
		t.Fatalf("Wrap = %#v", w)
	}
}

func TestErrorHelpers(t *testing.T) {
	err := Wrap(E("inner.op", "inner msg", nil), "outer.op", "outer msg")
	if Operation(err) != "outer.op" {
		t.Fatalf("Operation = %q", Operation(err))
	}
	if ErrorMessage(err) != "outer msg" {
		t.Fatalf("ErrorMessage = %q", ErrorMessage(err))
	}
	if ErrorMessage(io.EOF) != "EOF" || ErrorMessage(nil) != "" || Operation(io.EOF) != "" {
		t.Fatal("non-Err helpers mismatch")
	}
	j := ErrorJoin(io.EOF, nil, io.ErrUnexpectedEOF)
	if !Is(j, io.EOF) || !Is(j, io.ErrUnexpectedEOF) {
		t.Fatal("ErrorJoin must keep both")
	}
	if ErrorJoin(nil, nil) != nil {
		t.Fatal("ErrorJoin of nils must be nil")
	}
}

func TestAs_BadTargetPanicsLikeErrorsAs(t *testing.T) {
	if !panics(func() { As(io.EOF, nil) }) {
		t.Fatal("As with a nil target must panic, as errors.As does")
	}
	var notPtr *Err
	if !panics(func() { As(io.EOF, notPtr) }) {
		t.Fatal("As with a non-pointer-to-pointer target must panic")
	}
}

func TestErr_NilReceiverPanics(t *testing.T) {
	var e *Err
	if !panics(func() { _ = e.Error() }) || !panics(func() { _ = e.Unwrap() }) {
		t.Fatal("Error/Unwrap on a nil *Err must panic, as in the real framework")
	}
}

func TestErr_ErrorFormatWithCode(t *testing.T) {
	for _, tc := range []struct {
		err  *Err
		want string
	}{
		{&Err{Operation: "op", Message: "m", Code: "C", Cause: io.EOF}, "op: m [C]: EOF"},
		{&Err{Operation: "op", Message: "m", Code: "C"}, "op: m [C]"},
		{&Err{Message: "m", Cause: io.EOF}, "m: EOF"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
