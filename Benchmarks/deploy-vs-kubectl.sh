#!/bin/sh
# Cold deploy of 300 objects, a no-change re-deploy, and kubectl apply --server-side of the same
# objects, against the project's API test server (TLS on loopback). Needs release builds:
#   swift build -c release && (cd Benchmarks && swift build -c release --product kube-test-server)
# Usage: Benchmarks/deploy-vs-kubectl.sh [ROUNDS]
set -eu
rounds=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
warrant="$root/.build/release/warrant"
server="$root/Benchmarks/.build/release/kube-test-server"
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
"$server" "$work/kubeconfig" > "$work/url" &
pid=$!
while [ ! -s "$work/url" ]; do sleep 0.1; done
python3 - "$work/objects.yaml" <<'PY'
import sys
docs = []
for i in range(150):
    docs.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: config-{i}, labels: {{app: bench}}}}\ndata: {{index: \"{i}\", payload: \"{'x' * 256}\"}}\n")
for i in range(100):
    docs.append(f"apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}}}\nspec: {{selector: {{app: app-{i}}}, ports: [{{port: 80, targetPort: 8080}}]}}\n")
for i in range(50):
    docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{i}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: app-{i}}}}}
  template:
    metadata: {{labels: {{app: app-{i}}}}}
    spec:
      containers: [{{name: app, image: "nginx:1.27", resources: {{requests: {{cpu: 10m, memory: 16Mi}}}}}}]
""")
open(sys.argv[1], "w").write("---\n".join(docs))
PY
python3 - "$warrant" "$work/kubeconfig" "$work/objects.yaml" "$rounds" <<'PY'
import statistics, subprocess, sys, time
warrant, kubeconfig, objects, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def timed(args, stdin=None):
    start = time.time()
    done = subprocess.run(args, capture_output=True, text=True, input=stdin)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{done.stderr[-2000:]}")
    return time.time() - start, done
cold, again, kubectl_cold, kubectl_again = [], [], [], []
for round in range(rounds):
    ns, kns = f"w{round}", f"k{round}"
    for n in (ns, kns):
        subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "apply", "-f", "-"], input=f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {n}}}\n", text=True, check=True, capture_output=True)
    deploy = [warrant, "deploy", "-f", objects, "-n", ns, "--kubeconfig", kubeconfig, "--allow-broad-credential"]
    t, _ = timed(deploy); cold.append(t)
    t, done = timed(deploy); again.append(t)
    assert "no changes" in done.stderr, done.stderr[-500:]
    apply = ["kubectl", "--kubeconfig", kubeconfig, "apply", "--server-side", "-n", kns, "-f", objects]
    t, _ = timed(apply); kubectl_cold.append(t)
    t, _ = timed(apply); kubectl_again.append(t)
med = lambda xs: statistics.median(xs) * 1000
print(f"rounds: {rounds}, 300 objects (150 ConfigMaps, 100 Services, 50 Deployments)")
print(f"warrant deploy, cold:      median {med(cold):.0f} ms (min {min(cold)*1000:.0f})")
print(f"warrant deploy, no change: median {med(again):.0f} ms (min {min(again)*1000:.0f}) = {med(again)/med(cold)*100:.0f} % of cold")
print(f"kubectl apply --server-side, cold:      median {med(kubectl_cold):.0f} ms")
print(f"kubectl apply --server-side, no change: median {med(kubectl_again):.0f} ms")
PY
