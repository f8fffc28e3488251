package output

import "strings"

// PackBlock is the largest block of bytes that a Packer shares between
// strings; a line longer than that gets an allocation of its own.
const PackBlock = 4 << 10

// Packer makes strings of the lines of a chunk, copying them into shared
// blocks: one allocation for up to PackBlock bytes of lines instead of one
// per line. A block is sized for what is left of the chunk, so a short
// chunk makes a short block.
//
// A string made by a Packer is immutable like any other, but it keeps its
// whole block alive: a caller that keeps one line of a chunk keeps up to
// PackBlock bytes of its neighbours. Between chunks a Packer holds no
// memory. The zero value is ready to use; a Packer is not safe for
// concurrent use.
type Packer struct {
	block strings.Builder // the block being filled; its bytes are never rewritten
	left  int             // bytes of the chunk not yet made into strings
}

// Start readies p for the lines of a chunk of n bytes.
func (p *Packer) Start(n int) {
	p.block.Reset()
	p.left = n
}

// String returns line as a string. line may be any bytes, also ones from
// outside the chunk (a line begun in an earlier chunk).
func (p *Packer) String(line []byte) string {
	n := len(line)
	if n == 0 {
		return ""
	}
	p.left = max(p.left-n, 0)
	if n > PackBlock {
		return string(line)
	}
	if p.block.Cap()-p.block.Len() < n {
		p.block.Reset()
		p.block.Grow(min(n+p.left, PackBlock))
	}
	start := p.block.Len()
	p.block.Write(line)
	return p.block.String()[start:]
}

// Stop releases the block being filled; strings made from it stay valid.
func (p *Packer) Stop() {
	p.block.Reset()
	p.left = 0
}
