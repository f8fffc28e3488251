package core

// ACTION broadcasts msg to every handler registered with RegisterAction
// (and every service's HandleIPCEvents), in registration order. Every
// handler runs: a panicking handler — a nil one included — is recovered
// and logged, and the next one still runs. It always returns
// Result{OK: true}. Dispatch takes no lock and allocates nothing.
func (c *Core) ACTION(msg Message) Result {
	hs := c.ipc.handlers.Load()
	if hs == nil {
		return Result{OK: true}
	}
	for _, h := range *hs {
		c.deliver(h, msg)
	}
	return Result{OK: true}
}

// deliver runs one broadcast handler under panic recovery.
func (c *Core) deliver(h actionHandler, msg Message) {
	defer func() {
		if p := recover(); p != nil {
			Error("ACTION handler panicked", "panic", p)
		}
	}()
	h(c, msg)
}

// RegisterAction adds handler to the ACTION broadcast list.
func (c *Core) RegisterAction(handler func(*Core, Message) Result) {
	c.RegisterActions(handler)
}

// RegisterActions adds handlers, in order, to the ACTION broadcast list.
// Nil handlers are added too (each broadcast then logs their panic).
// Registration copies the list, so broadcasts in flight are unaffected.
func (c *Core) RegisterActions(handlers ...func(*Core, Message) Result) {
	c.ipc.mu.Lock()
	defer c.ipc.mu.Unlock()
	var next []actionHandler
	if cur := c.ipc.handlers.Load(); cur != nil {
		next = make([]actionHandler, len(*cur), len(*cur)+len(handlers))
		copy(next, *cur)
	}
	next = append(next, handlers...)
	c.ipc.handlers.Store(&next)
}

// RegisterQuery adds handler to the QUERY handler list (a nil handler is
// added too, and panics when asked).
func (c *Core) RegisterQuery(handler QueryHandler) {
	c.ipc.queryMu.Lock()
	defer c.ipc.queryMu.Unlock()
	var next []QueryHandler
	if cur := c.ipc.queries.Load(); cur != nil {
		next = make([]QueryHandler, len(*cur), len(*cur)+1)
		copy(next, *cur)
	}
	next = append(next, handler)
	c.ipc.queries.Store(&next)
}

// Query asks the query handlers in registration order and returns the
// first OK Result; Result{} when none answers. Query handlers are not
// protected: a panicking handler panics the caller.
func (c *Core) Query(q Query) Result {
	if hs := c.ipc.queries.Load(); hs != nil {
		for _, h := range *hs {
			if r := h(c, q); r.OK {
				return r
			}
		}
	}
	return Result{}
}

// QueryAll asks every query handler and returns Result{Value: []any, OK:
// true} holding the non-nil Values of the OK answers, in registration
// order (a nil slice when none answered). As with Query, a panicking
// handler panics the caller.
func (c *Core) QueryAll(q Query) Result {
	var out []any
	if hs := c.ipc.queries.Load(); hs != nil {
		for _, h := range *hs {
			if r := h(c, q); r.OK && r.Value != nil {
				out = append(out, r.Value)
			}
		}
	}
	return Result{Value: out, OK: true}
}

// QUERY is Query: the first OK answer wins.
func (c *Core) QUERY(q Query) Result { return c.Query(q) }

// QUERYALL is QueryAll: every OK answer is collected.
func (c *Core) QUERYALL(q Query) Result { return c.QueryAll(q) }
