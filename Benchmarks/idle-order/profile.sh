#!/usr/bin/env bash
# Profiles the code an idle agent runs and writes the linker's ordering for it
# (Scripts/agent-idle.order.gz, read by Scripts/build-image.sh).
#
#   Benchmarks/idle-order/profile.sh WARRANT [AGENT_LOOP] [MINUTES (5)]
#
#   WARRANT     a static release build of warrant (any linker; Scripts/build-image.sh --help)
#   AGENT_LOOP  the benchmark executable (default Benchmarks/.build/release/agent-loop;
#               cd Benchmarks && swift build -c release --product agent-loop)
#   MINUTES     how long the agent idles; pages are recorded from 40 s after its start to 10 s
#               before its end, so that work done every few minutes is seen too
#   FRESH=1     (environment) start the ordering over instead of adding to it
#
# How: `agent-loop service WARRANT MINUTES 0` runs the agent idle at --interval 2s against the API test
# server (300 objects applied once, then an unchanged branch polled, leader election on), with
# pageprof.so preloaded; meanwhile /healthz, /readyz and /metrics are requested every 3 s, as a
# kubelet's probes and a Prometheus scrape would. pageprof records every code page touched after
# the first apply, page by page; order.py lists the functions on those pages.
# Run it again when the idle path changes (a renamed function drops out of the ordering quietly:
# lld is told not to warn about symbols it does not find). Takes MINUTES and a few seconds.
# Needs: gcc, python3, readelf and nm (binutils), curl, ss (iproute2). Exit codes: 0 written,
# 1 a step failed, 2 bad arguments.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
warrant=$(realpath "$1")
agent_loop=$(realpath "${2:-$root/Benchmarks/.build/release/agent-loop}")
minutes=${3:-5}
case "$minutes" in ''|*[!0-9]*|0|1) echo "profile: MINUTES must be a whole number of at least 2" >&2; exit 2 ;; esac
[ -x "$warrant" ] || { echo "profile: $warrant is not an executable" >&2; exit 2; }
[ -x "$agent_loop" ] || { echo "profile: $agent_loop is missing; build it: cd Benchmarks && swift build -c release --product agent-loop" >&2; exit 2; }
[ "$(basename "$warrant")" = warrant ] || { echo "profile: the executable must be named warrant (pageprof acts only there)" >&2; exit 2; }

work=$(mktemp -d /tmp/warrant-idle-order.XXXXXX)
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -shared -fPIC "$here/pageprof.c" -o "$work/pageprof.so" -lpthread

window=$((minutes * 60 - 50))
echo "profile: running the idle agent for $minutes minutes (pages recorded from 40 s to $((40 + window)) s)" >&2
PAGEPROF_OUT="$work/pages" PAGEPROF_START=40 PAGEPROF_WINDOW=$window LD_PRELOAD="$work/pageprof.so" \
  "$agent_loop" service "$warrant" "$minutes" 0 > "$work/agent-loop.log" 2>&1 &
bench=$!
pid=""
for _ in $(seq 1 60); do
  pid=$(pgrep -f "^$warrant agent run .*--interval 2s" | head -1 || true)
  [ -n "$pid" ] && break
  sleep 1
done
[ -n "$pid" ] || { cat "$work/agent-loop.log" >&2; echo "profile: the agent did not start" >&2; exit 1; }
port=""
for _ in $(seq 1 30); do
  port=$(ss -ltnpH 2>/dev/null | grep "pid=$pid," | awk '{print $4}' | sed 's/.*://' | head -1)
  [ -n "$port" ] && break
  sleep 1
done
[ -n "$port" ] || { echo "profile: the agent (pid $pid) listens on no port" >&2; exit 1; }
while kill -0 "$bench" 2>/dev/null; do
  for path in healthz readyz metrics; do curl -s -o /dev/null "http://127.0.0.1:$port/$path" || true; done
  sleep 3
done
wait "$bench" || { cat "$work/agent-loop.log" >&2; echo "profile: the benchmark failed" >&2; exit 1; }
[ -s "$work/pages" ] || { echo "profile: pageprof wrote no pages" >&2; exit 1; }
python3 "$here/order.py" "$warrant" "$work/pages" > "$work/profiled.order"
# One run misses code that runs only now and then (a watch reconnecting, a client's pool being
# renewed), and each such function left out costs a 64 KB window at idle: the ordering keeps what
# earlier runs found and appends what this one adds. FRESH=1 starts over.
ordering="$root/Scripts/agent-idle.order.gz"
if [ -z "${FRESH:-}" ] && [ -f "$ordering" ]; then
  gzip -dc "$ordering" > "$work/earlier.order"
else
  : > "$work/earlier.order"
fi
awk '!seen[$0]++' "$work/earlier.order" "$work/profiled.order" > "$work/agent-idle.order"
gzip -9n < "$work/agent-idle.order" > "$ordering"
echo "profile: wrote Scripts/agent-idle.order.gz: $(wc -l < "$work/agent-idle.order") functions, $(($(wc -l < "$work/agent-idle.order") - $(wc -l < "$work/earlier.order"))) of them new" >&2
