package process

import (
	"context"
	"os/exec"
	"runtime"
	"testing"
)

// spawnParallelism is how many goroutines BenchmarkSpawnParallel starts
// processes from.
const spawnParallelism = 64

// BenchmarkSpawnParallel: spawnParallelism goroutines at once, each op
// starting /bin/true and waiting for it: raw with os/exec, process through
// Start (a forking thread of the pool, the parent-death signal) and Wait.
func BenchmarkSpawnParallel(b *testing.B) {
	const bin = "/bin/true"
	parallelism := max(spawnParallelism/runtime.GOMAXPROCS(0), 1)
	b.Run("raw", func(b *testing.B) {
		b.SetParallelism(parallelism)
		defer reportOwnCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := exec.Command(bin).Run(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("process", func(b *testing.B) {
		_, svc := benchCore(b)
		ctx := context.Background()
		b.SetParallelism(parallelism)
		defer reportOwnCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r := svc.Start(ctx, bin)
				if !r.OK {
					b.Error(r.Value)
					return
				}
				if err := r.Value.(*Process).Wait(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
