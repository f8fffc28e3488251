package process

import (
	"context"
	"slices"
	"testing"
	"time"

	core "dappco.re/go/core"
)

// BenchmarkKillTree: one op starts a shell whose grandchild has left its
// process group (setsid), kills the process, and waits until the whole tree
// is gone. The ms/kill-tree metric is the median time from Kill to the last
// member gone (a member gone: no longer alive, a zombie at most), in each
// containment mode.
func BenchmarkKillTree(b *testing.B) {
	for _, mode := range containments {
		b.Run(string(mode), func(b *testing.B) {
			c := core.New(core.WithService(NewService(Options{Containment: mode})))
			svc, _ := core.ServiceFor[*Service](c, "process")
			if r := c.ServiceStartup(context.Background(), nil); !r.OK {
				b.Fatalf("startup: %v", r.Value)
			}
			b.Cleanup(func() { c.ServiceShutdown(context.Background()) })
			var took []time.Duration
			for b.Loop() {
				took = append(took, killTreeOnce(b, svc))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2])/float64(time.Millisecond), "ms/kill-tree")
		})
	}
}

// killTreeOnce starts the tree, kills it and returns how long it took to
// go.
func killTreeOnce(b *testing.B, svc *Service) time.Duration {
	r := svc.Start(context.Background(), "sh", "-c", scriptSetsidGrandchild)
	if !r.OK {
		b.Fatal(r.Value)
	}
	p := r.Value.(*Process)
	var gc int
	for deadline := time.Now().Add(10 * time.Second); ; {
		if pid, ok := pidLine(outputLines(p.Output())); ok {
			if _, pgrp, ok := procStat(pid); ok && pgrp == pid {
				gc = pid
				break
			}
		}
		if time.Now().After(deadline) {
			_ = p.Kill()
			b.Fatalf("no grandchild in a session of its own; output %q", p.Output())
		}
		time.Sleep(100 * time.Microsecond)
	}
	began := time.Now()
	if err := p.Kill(); err != nil {
		b.Fatal(err)
	}
	for pidAlive(gc) || pidAlive(p.PID) {
		if time.Since(began) > 10*time.Second {
			b.Fatalf("the tree of %s survived Kill: grandchild %d", p.ID, gc)
		}
		time.Sleep(50 * time.Microsecond)
	}
	took := time.Since(began)
	<-p.Done()
	return took
}
