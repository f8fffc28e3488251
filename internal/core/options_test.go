package core

import "testing"

func TestOptions_TypedGetters_ZeroOnMissingOrWrongType(t *testing.T) {
	o := NewOptions(
		Option{Key: "s", Value: "str"},
		Option{Key: "i", Value: 7},
		Option{Key: "b", Value: true},
		Option{Key: "i64", Value: int64(7)},
	)
	if o.String("s") != "str" || o.Int("i") != 7 || !o.Bool("b") {
		t.Fatal("typed getters must return stored values of their type")
	}
	if o.String("i") != "" || o.Int("s") != 0 || o.Bool("s") {
		t.Fatal("typed getters must return the zero value for another type")
	}
	if o.Int("i64") != 0 {
		t.Fatal("Int must not convert other integer types")
	}
	if o.String("missing") != "" || o.Int("missing") != 0 || o.Bool("missing") {
		t.Fatal("typed getters must return the zero value for a missing key")
	}
	var zero Options
	if zero.String("x") != "" || zero.Len() != 0 || zero.Has("x") {
		t.Fatal("zero Options must behave as empty")
	}
}

func TestOptions_SetReplacesInPlaceAndAppends(t *testing.T) {
	o := NewOptions(Option{Key: "a", Value: 1}, Option{Key: "b", Value: 2})
	o.Set("a", 10)
	o.Set("c", 3)
	items := o.Items()
	if len(items) != 3 || items[0] != (Option{Key: "a", Value: 10}) || items[2] != (Option{Key: "c", Value: 3}) {
		t.Fatalf("items = %v", items)
	}
	if o.Len() != 3 {
		t.Fatalf("Len = %d", o.Len())
	}
}

func TestOptions_GetDistinguishesNilFromMissing(t *testing.T) {
	o := NewOptions(Option{Key: "nil", Value: nil})
	if r := o.Get("nil"); !r.OK || r.Value != nil {
		t.Fatalf("Get(nil key) = %+v", r)
	}
	if r := o.Get("missing"); r.OK {
		t.Fatalf("Get(missing) = %+v", r)
	}
	if !o.Has("nil") || o.Has("missing") {
		t.Fatal("Has mismatch")
	}
}

func TestOptions_CopiesAreIndependent(t *testing.T) {
	src := []Option{{Key: "a", Value: 1}}
	o := NewOptions(src...)
	src[0].Value = 2
	if o.Int("a") != 1 {
		t.Fatal("NewOptions must copy its input")
	}
	items := o.Items()
	items[0].Value = 3
	if o.Int("a") != 1 {
		t.Fatal("Items must return a copy")
	}
}
