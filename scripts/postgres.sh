# Sourced by scripts/test and scripts/bench: makes sure a PostgreSQL server
# answers at TOCSIN_TEST_POSTGRES (default
# postgres://postgres@127.0.0.1:5432/test), starting Debian's cluster or
# installing the postgresql package when none does, and creating the
# database when missing. Sets TOCSIN_REQUIRE_POSTGRES=1 when it answers.

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install() {
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get install -y --no-install-recommends "$@" >/dev/null ||
		{ as_root apt-get update >/dev/null && as_root apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

export TOCSIN_TEST_POSTGRES="${TOCSIN_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"

pg_up() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }

ensure_postgres() {
	if ! pg_up; then
		if ! command -v pg_ctlcluster >/dev/null 2>&1; then
			echo "== installing postgresql"
			install postgresql
		fi
		for v in $(ls /etc/postgresql 2>/dev/null); do
			as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true
		done
		for _ in 1 2 3 4 5 6 7 8 9 10; do pg_up && break; sleep 1; done
	fi
	if ! pg_up; then
		return 1
	fi
	local db=${TOCSIN_TEST_POSTGRES%%\?*}
	db=${db##*/}
	if [ -n "$db" ] && command -v psql >/dev/null 2>&1 &&
		! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" 2>/dev/null | grep -q 1; then
		psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$db\"" >/dev/null 2>&1 || true
	fi
	export TOCSIN_REQUIRE_POSTGRES=1
}
