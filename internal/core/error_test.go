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
	if As(err, nil) {
		t.Fatal("As with a bad target must report false, not panic")
	}
}
