.PHONY: test bench

# Every check and test (scripts/test).
test:
	./scripts/test

# SQLite and PostgreSQL side by side at 1,000,000 subscribers (scripts/bench).
bench:
	./scripts/bench
