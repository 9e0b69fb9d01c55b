#!/bin/sh
# `warrant evidence` over a synthetic audit log (issue 16: a million events in under 5 s and
# 300 MB, streamed), against the project's API test server seeded with the namespace, the deploy
# credential and its history. Needs release builds:
#   swift build -c release && swift build -c release --package-path Benchmarks \
#       --product generate-audit-log && swift build -c release --package-path Benchmarks --product kube-test-server
# Usage: Benchmarks/evidence-1m.sh [RUNS] [EVENTS]   (the log is generated once into $WORK, default /tmp/warrant-evidence-bench)
#   SCOPE="-A" reviews every namespace (the kube-system control plane's writes included) instead of
#   the default "-n shop"; FORMAT=markdown|html|json (default json).
set -eu
runs=${1:-5}
events=${2:-1000000}
scope=${SCOPE:--n shop}
format=${FORMAT:-json}
root=$(cd "$(dirname "$0")/.." && pwd)
warrant="$root/.build/release/warrant"
server="$root/Benchmarks/.build/release/kube-test-server"
work=${WORK:-/tmp/warrant-evidence-bench}
mkdir -p "$work"
if [ ! -s "$work/audit.log" ] || [ "$(cat "$work/events" 2>/dev/null)" != "$events" ]; then
  "$root/Benchmarks/.build/release/generate-audit-log" "$work" "$events"
  echo "$events" > "$work/events"
  gzip -kf "$work/audit.log"
fi
"$server" "$work/kubeconfig" --seed "$work/cluster.yaml" > "$work/url" &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
while [ ! -s "$work/url" ]; do sleep 0.1; done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(ls -l "$work/audit.log" | awk '{print $5}') bytes, $(ls -l "$work/audit.log.gz" | awk '{print $5}') gzipped"
for input in audit.log audit.log.gz; do
  for run in $(seq "$runs"); do
    /usr/bin/time -v "$warrant" evidence $scope --kubeconfig "$work/kubeconfig" --audit-log "$work/$input" \
      --record-file "$work/records.jsonl" -o "$format" > "$work/report.$format" 2> "$work/time.txt" || true
    wall=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}')
    user=$(grep "User time" "$work/time.txt" | awk '{print $NF}')
    system=$(grep "System time" "$work/time.txt" | awk '{print $NF}')
    rss=$(grep "Maximum resident" "$work/time.txt" | awk '{print $NF}')
    echo "$scope -o $format $input run $run: wall $wall s, user $user s, system $system s, peak RSS $((rss / 1024)) MB, load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
[ "$format" = json ] && python3 -c "import json,sys; r=json.load(open(sys.argv[1])); s=r['summary']; print('report:', r['logs'][0]['events'], 'events read,', s['writeRequests'], 'writes kept,', s['deploys'], 'deploys,', s['unattributed'], 'unattributed')" "$work/report.json"
grep "^evidence:" "$work/time.txt"
