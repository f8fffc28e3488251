module dappco.re/go/core/process

go 1.26

require dappco.re/go/core v0.8.0-alpha.2

replace dappco.re/go/core => ./internal/core
