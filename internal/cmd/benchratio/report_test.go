package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample is real `go test -bench -count 3 -benchmem` output, trimmed.
const sample = `goos: linux
goarch: amd64
pkg: dappco.re/go/core/process
cpu: AMD EPYC
BenchmarkSpawn/raw-2         	    2013	    558346 ns/op	    6440 B/op	      34 allocs/op
BenchmarkSpawn/raw-2         	    2000	    600000 ns/op	    6440 B/op	      34 allocs/op
BenchmarkSpawn/raw-2         	    2100	    500000 ns/op	    6440 B/op	      34 allocs/op
BenchmarkSpawn/process-2     	    1666	    740876 ns/op	    8646 B/op	      64 allocs/op
BenchmarkSpawn/process-2     	    1600	    600000 ns/op	    8646 B/op	      64 allocs/op
BenchmarkSpawn/process-2     	    1700	    590000 ns/op	    8646 B/op	      64 allocs/op
BenchmarkStream/raw-2        	      13	  89282656 ns/op	 751.65 MB/s	    7356 B/op	      37 allocs/op
BenchmarkStream/raw-2        	      12	  99282656 ns/op	 700.00 MB/s	    7356 B/op	      37 allocs/op
BenchmarkStream/process-2    	       7	 163653488 ns/op	 410.07 MB/s	123003973 B/op	 1864285 allocs/op
BenchmarkStream/process-2    	       7	 173653488 ns/op	 300.00 MB/s	123003973 B/op	 1864285 allocs/op
BenchmarkStream/capture-2    	      12	  99282656 ns/op	 690.00 MB/s	    7356 B/op	      90 allocs/op
BenchmarkStream/raw-strings-2	      10	 139282656 ns/op	 508.08 MB/s	  67108864 B/op	   16400 allocs/op
BenchmarkDispatch-2          	57889820	        19.94 ns/op	       0 B/op	       0 allocs/op
BenchmarkIdle-2              	       7	 152048792 ns/op	      2496 heap-B/proc	         4.000 fds/proc	 2686274 B/op	   24521 allocs/op
BenchmarkSpawnParallel/raw-2     	    1767	    700000 ns/op
BenchmarkSpawnParallel/process-2 	    1195	    800000 ns/op
BenchmarkKillTree/cgroup-2   	     200	   3763406 ns/op	         0.6693 ms/kill-tree
BenchmarkKillTree/group-2    	     200	   6542367 ns/op	        22.659 ms/kill-tree
--- FAIL: BenchmarkSomethingElse
PASS
ok  	dappco.re/go/core/process	5.557s
`

func TestParse_SampleOutput_GroupsValuesByBenchmarkAndUnit(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	assert.Len(t, res, 12)
	assert.Equal(t, []float64{558346, 600000, 500000}, res["BenchmarkSpawn/raw"]["ns/op"])
	assert.Equal(t, []float64{751.65, 700}, res["BenchmarkStream/raw"]["MB/s"])
	assert.Equal(t, []float64{0}, res["BenchmarkDispatch"]["allocs/op"])
	assert.Equal(t, []float64{2496}, res["BenchmarkIdle"]["heap-B/proc"])
	assert.Equal(t, []float64{4}, res["BenchmarkIdle"]["fds/proc"])
}

func TestParse_BadValue_ReturnsError(t *testing.T) {
	_, err := parse(strings.NewReader("BenchmarkX-2 10 abc ns/op\n"))
	assert.ErrorContains(t, err, "abc")
}

func TestTrimProcs_RemovesOnlyANumericSuffix(t *testing.T) {
	assert.Equal(t, "BenchmarkSpawn/raw", trimProcs("BenchmarkSpawn/raw-2"))
	assert.Equal(t, "BenchmarkDispatch", trimProcs("BenchmarkDispatch-16"))
	assert.Equal(t, "BenchmarkDispatch", trimProcs("BenchmarkDispatch"))
	assert.Equal(t, "BenchmarkA/with-dash", trimProcs("BenchmarkA/with-dash"))
}

func TestMedian_OddEvenAndEmpty(t *testing.T) {
	m, ok := median([]float64{3, 1, 2})
	assert.True(t, ok)
	assert.Equal(t, 2.0, m)
	m, ok = median([]float64{4, 1, 3, 2})
	assert.True(t, ok)
	assert.Equal(t, 2.5, m)
	_, ok = median(nil)
	assert.False(t, ok)
}

func TestEvaluate_Sample_ComputesRatiosAndVerdicts(t *testing.T) {
	res, err := parse(strings.NewReader(sample))
	require.NoError(t, err)
	rows, err := evaluate(res)
	require.NoError(t, err)
	require.Len(t, rows, 9)

	spawn := rows[0]
	assert.Equal(t, "spawn", spawn.name)
	assert.Equal(t, "1.07x", spawn.ratio) // 600000 / 558346
	assert.True(t, spawn.pass)

	parallel := rows[1]
	assert.Equal(t, "0.88x", parallel.ratio) // 700000 / 800000
	assert.False(t, parallel.pass)

	stream := rows[2]
	assert.Equal(t, "0.49x", stream.ratio) // 355.035 / 725.825
	assert.False(t, stream.pass)

	floor := rows[3]
	assert.Equal(t, "stream, raw making line strings", floor.name)
	assert.Equal(t, "0.70x", floor.ratio) // 508.08 / 725.825
	assert.True(t, floor.info)

	capture := rows[4]
	assert.Equal(t, "stream, no line events", capture.name)
	assert.Equal(t, "0.95x", capture.ratio) // 690 / 725.825
	assert.True(t, capture.pass)

	assert.Equal(t, "dispatch", rows[5].name)
	assert.True(t, rows[5].pass)
	assert.Equal(t, "idle", rows[6].name)
	assert.True(t, rows[6].pass)
	assert.Equal(t, "kill-tree (cgroup)", rows[7].name)
	assert.True(t, rows[7].pass, "0.67 ms")
	assert.False(t, rows[8].pass, "22.66 ms")

	var b strings.Builder
	require.NoError(t, write(&b, rows))
	out := b.String()
	assert.Contains(t, out, "PASS")
	assert.Contains(t, out, "MISS")
	assert.Regexp(t, `stream, raw making line strings .* bound for stream +-\n`, out)
	assert.Contains(t, out, "2496 heap-B/proc, 4.00 fds/proc")
}

func TestEvaluate_MissingBenchmark_ReturnsError(t *testing.T) {
	res, err := parse(strings.NewReader("BenchmarkDispatch-2 100 19.9 ns/op 0 B/op 0 allocs/op\n"))
	require.NoError(t, err)
	_, err = evaluate(res)
	assert.ErrorContains(t, err, "BenchmarkSpawn/raw ns/op")
}

func TestModulePathOf_ReadsTheModuleLine(t *testing.T) {
	assert.Equal(t, modulePath, modulePathOf([]byte("// c\nmodule dappco.re/go/core/process\n\ngo 1.26\n")))
	assert.Equal(t, "", modulePathOf([]byte("go 1.26\n")))
}
