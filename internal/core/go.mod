module dappco.re/go/core

go 1.26
