package process

import (
	"context"

	core "dappco.re/go/core"
)

// registerUnitActions registers the unit actions with the Core:
// process.up, process.down, process.restart, process.units and
// process.unit.
func (s *Service) registerUnitActions() {
	c := s.Core()
	c.Action("process.up", s.handleUp)
	c.Action("process.down", s.handleDown)
	c.Action("process.restart", s.handleRestart)
	c.Action("process.units", s.handleUnits)
	c.Action("process.unit", s.handleUnit)
}

// handleUp brings up "units" ([]UnitSpec) or "unit" (a UnitSpec), as Up
// does; Value is their []UnitInfo once they are ready.
func (s *Service) handleUp(ctx context.Context, opts core.Options) core.Result {
	d := newDecoder("process.up", opts, "units", "unit")
	specs := d.unitSpecs()
	if d.err != nil {
		return fail(d.err)
	}
	if err := s.Up(ctx, specs...); err != nil {
		return fail(err)
	}
	infos := make([]UnitInfo, 0, len(specs))
	for _, spec := range specs {
		if info, err := s.Unit(spec.Name); err == nil {
			infos = append(infos, info)
		}
	}
	return ok(infos)
}

// handleDown stops the units of "names" (optional: all), as Down does.
func (s *Service) handleDown(ctx context.Context, opts core.Options) core.Result {
	d := newDecoder("process.down", opts, "names")
	names := d.texts("names")
	if d.err != nil {
		return fail(d.err)
	}
	if err := s.Down(ctx, names...); err != nil {
		return fail(err)
	}
	return ok(nil)
}

// handleRestart restarts unit "name"; Value is its UnitInfo once ready.
func (s *Service) handleRestart(ctx context.Context, opts core.Options) core.Result {
	d := newDecoder("process.restart", opts, "name")
	name := d.nonEmpty("name")
	if d.err != nil {
		return fail(d.err)
	}
	if err := s.Restart(ctx, name); err != nil {
		return fail(err)
	}
	info, err := s.Unit(name)
	if err != nil {
		return fail(err)
	}
	return ok(info)
}

// handleUnits returns every unit's UnitInfo, in the order they were added.
func (s *Service) handleUnits(ctx context.Context, opts core.Options) core.Result {
	d := newDecoder("process.units", opts)
	if d.err != nil {
		return fail(d.err)
	}
	return ok(s.Units())
}

// handleUnit returns the UnitInfo of unit "name".
func (s *Service) handleUnit(ctx context.Context, opts core.Options) core.Result {
	d := newDecoder("process.unit", opts, "name")
	name := d.nonEmpty("name")
	if d.err != nil {
		return fail(d.err)
	}
	info, err := s.Unit(name)
	if err != nil {
		return fail(err)
	}
	return ok(info)
}

// unitSpecs reads "units" (a []UnitSpec, []*UnitSpec or []any of either)
// or "unit" (a UnitSpec or *UnitSpec); exactly one is required.
func (d *decoder) unitSpecs() []UnitSpec {
	list, hasList := d.value("units")
	one, hasOne := d.value("unit")
	switch {
	case d.err != nil:
		return nil
	case hasList && hasOne:
		d.fail("unit", "give either \"units\" or \"unit\", not both")
		return nil
	case hasOne:
		spec, isSpec := asUnitSpec(one)
		if !isSpec {
			d.fail("unit", "want a UnitSpec, got %T", one)
		}
		return []UnitSpec{spec}
	case !hasList:
		d.fail("units", "required (or \"unit\")")
		return nil
	}
	switch l := list.(type) {
	case []UnitSpec:
		return l
	case []*UnitSpec:
		return unitSpecItems(d, l)
	case []any:
		return unitSpecItems(d, l)
	}
	d.fail("units", "want a []UnitSpec, got %T", list)
	return nil
}

// unitSpecItems converts the items of a list, each a UnitSpec or a
// non-nil *UnitSpec.
func unitSpecItems[T any](d *decoder, items []T) []UnitSpec {
	specs := make([]UnitSpec, len(items))
	for i, item := range items {
		spec, isSpec := asUnitSpec(item)
		if !isSpec {
			d.fail("units", "item %d: want a UnitSpec, got %T", i, any(item))
			return nil
		}
		specs[i] = spec
	}
	return specs
}

// asUnitSpec accepts a UnitSpec or a non-nil *UnitSpec.
func asUnitSpec(v any) (UnitSpec, bool) {
	switch spec := v.(type) {
	case UnitSpec:
		return spec, true
	case *UnitSpec:
		if spec != nil {
			return *spec, true
		}
	}
	return UnitSpec{}, false
}
