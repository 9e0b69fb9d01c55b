#!/bin/sh
# Time from starting the warrant executable to its first API request, and the whole command,
# against the project's API test server (TLS on loopback). Needs release builds of both:
#   swift build -c release && (cd Benchmarks && swift build -c release --product kube-test-server)
# Usage: Benchmarks/time-to-first-request.sh [RUNS]
set -eu
runs=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
warrant="$root/.build/release/warrant"
server="$root/Benchmarks/.build/release/kube-test-server"
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
"$server" "$work/kubeconfig" > "$work/url" &
pid=$!
while [ ! -s "$work/url" ]; do sleep 0.1; done
python3 - "$warrant" "$work/kubeconfig" "$runs" <<'PY'
import datetime, statistics, subprocess, sys, time
warrant, kubeconfig, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
first, whole = [], []
for _ in range(runs):
    start = time.time()
    done = subprocess.run([warrant, "can", "get", "pods", "-n", "bench", "--kubeconfig", kubeconfig, "--log-level", "debug"],
                          capture_output=True, text=True)
    end = time.time()
    line = next(l for l in done.stderr.splitlines() if " DEBUG request " in l)
    stamp = datetime.datetime.strptime(line.split(" ")[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    first.append((stamp.timestamp() - start) * 1000)
    whole.append((end - start) * 1000)
print(f"runs: {runs}")
print(f"process start to first request: median {statistics.median(first):.1f} ms, min {min(first):.1f} ms")
print(f"whole 'warrant can get pods' (discovery + SelfSubjectAccessReview): median {statistics.median(whole):.1f} ms, min {min(whole):.1f} ms")
PY
