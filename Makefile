# The two commands of the README: `make run` and `make test`.
CARGO ?= cargo
LENTERA := target/debug/lentera

.PHONY: run test web web-deps build test-rust test-web bench clean-demo

## Build everything (web app, server) and run it on an embedded SQLite database in ./data,
## importing the sample courses and creating demo accounts on first start.
run: web
	$(CARGO) build -p lentera-server
	$(LENTERA) serve --demo

web-deps:
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund; fi

web: web-deps
	@if [ -f web/package.json ]; then cd web && npm run build; fi

build: web
	$(CARGO) build --workspace --all-targets

## Every test: Rust unit and integration tests on SQLite and PostgreSQL, the web app's unit
## tests, and its end-to-end tests in headless Chromium against the real server.
test: web
	$(CARGO) build -p lentera-server
	$(CARGO) nextest run --workspace --no-fail-fast
	@if [ -f web/package.json ]; then cd web && npm test && LENTERA_BIN=../$(LENTERA) npm run e2e; fi

bench:
	bash bench/run.sh
