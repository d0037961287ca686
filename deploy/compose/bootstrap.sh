#!/bin/sh
# One-shot jobs of compose.yaml, run in a busybox container as root with
# only the capabilities they need (CHOWN, DAC_OVERRIDE, FOWNER) and no
# network. Both are idempotent: they run again at every `docker compose up`.
#
#   bootstrap.sh volumes   before anything else: gives each volume mounted
#                          under /volumes to the user id of the role that owns
#                          it, mode 0700: /volumes/sender* to the senders,
#                          /volumes/web* to the web replicas.
#   bootstrap.sh publish   once sender1 is healthy (it has created the
#                          sender's keys): copies the PUBLIC files the web
#                          role needs (sender.pub, log.pub, trust-anchor.pub;
#                          it refuses to start without the first two) from
#                          the sender's keys to the web role's keys, and
#                          creates the web role's web.key once, so that every
#                          web replica reads the same one and none races to
#                          make its own.
#
# It never reads sender.key or log.key, and refuses to go on if the web
# role's keys ever hold either.
set -eu

WEB_UID=${WEB_UID:-10001}
SENDER_UID=${SENDER_UID:-10002}
ROOT=${BOOTSTRAP_ROOT:-}   # tests only: run against directories under $ROOT

case "${1:-}" in
volumes)
	for d in "$ROOT"/volumes/*/; do
		d=${d%/}
		case $(basename "$d") in
		sender*) uid=$SENDER_UID ;;
		web*) uid=$WEB_UID ;;
		*)
			echo "volumes: $d belongs to no role (name it sender… or web…)" >&2
			exit 1
			;;
		esac
		chown "$uid:$uid" "$d"
		chmod 0700 "$d"
		echo "volumes: $(basename "$d") owned by $uid, mode 0700"
	done
	;;
publish)
	src=$ROOT/sender-keys
	dst=$ROOT/web-keys
	for f in sender.key log.key; do
		if [ -e "$dst/$f" ]; then
			echo "publish: $dst/$f exists: the web role must never hold the sender's secrets; remove it and treat that key as exposed" >&2
			exit 1
		fi
	done
	for f in sender.pub log.pub; do
		if [ ! -s "$src/$f" ]; then
			echo "publish: $src/$f is missing: sender1 creates it on its first start" >&2
			exit 1
		fi
	done
	for f in sender.pub log.pub trust-anchor.pub; do
		if [ -s "$src/$f" ]; then
			cp "$src/$f" "$dst/.$f.tmp"
			chown "$WEB_UID:$WEB_UID" "$dst/.$f.tmp"
			chmod 0644 "$dst/.$f.tmp"
			mv -f "$dst/.$f.tmp" "$dst/$f"
			echo "publish: $f copied to the web role's keys"
		else
			echo "publish: no $f yet (run the init service, then this job again)"
		fi
	done
	if [ ! -e "$dst/web.key" ]; then
		umask 077
		head -c 32 /dev/urandom >"$dst/.web.key.tmp"
		chown "$WEB_UID:$WEB_UID" "$dst/.web.key.tmp"
		chmod 0600 "$dst/.web.key.tmp"
		mv "$dst/.web.key.tmp" "$dst/web.key"
		echo "publish: web.key created (shared by every web replica)"
	fi
	;;
*)
	echo "usage: bootstrap.sh volumes|publish" >&2
	exit 2
	;;
esac
