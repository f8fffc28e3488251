package watch

import (
	"os"
	"slices"
	"testing"
	"time"
)

func TestPoll_ReportsReadableAndHungUpDescriptors_NoneAtTheTimeout(t *testing.T) {
	r1, w1, _ := os.Pipe()
	r2, w2, _ := os.Pipe()
	defer r1.Close()
	defer w1.Close()
	defer r2.Close()
	defer w2.Close()
	fd1, fd2 := pipeFD(t, r1), pipeFD(t, r2)

	ready, err := Poll([]int{fd1, fd2}, 10*time.Millisecond)
	if err != nil || len(ready) != 0 {
		t.Fatalf("Poll with nothing written = %v, %v; want none at the timeout", ready, err)
	}
	go w2.WriteString("x")
	ready, err = Poll([]int{fd1, fd2}, -1)
	if err != nil || !slices.Equal(ready, []int{fd2}) {
		t.Fatalf("Poll after a write = %v, %v; want [%d]", ready, err, fd2)
	}
	w1.Close()
	ready, err = Poll([]int{fd1}, 10*time.Second)
	if err != nil || !slices.Equal(ready, []int{fd1}) {
		t.Fatalf("Poll after the writer closed = %v, %v; want [%d]", ready, err, fd1)
	}
}
