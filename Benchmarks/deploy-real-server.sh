#!/bin/sh
# warrant deploy against the real kube-apiserver of ../shared/kube: a cold deploy and no-change
# re-deploys of the Online Boutique demo (35 objects, ../shared/testdata/manifests) and of 300
# generated objects (150 ConfigMaps, 100 headless Services, 50 Deployments), each with a scoped CI
# credential (credentials create --apply --no-wait) and --prune, next to kubectl apply
# --server-side of the same objects. Prints medians, minimums and the load average.
#
# Needs a release build (swift build -c release), kubectl, python3 and ../shared/kube.
# Usage: Benchmarks/deploy-real-server.sh [ROUNDS]
#   WARRANT_KUBE_DIR=DIR   reuse a control plane that 'cluster.sh start DIR' runs (else one is
#                          started in a temporary folder and stopped at the end)
#   WARRANT_BINARIES="A B" time several warrant executables, interleaved (default: this
#                          checkout's .build/release/warrant); the last creates the credentials
set -eu
rounds=${1:-9}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$root/.." && pwd)/shared
binaries=${WARRANT_BINARIES:-$root/.build/release/warrant}
work=$(mktemp -d)
if [ -n "${WARRANT_KUBE_DIR:-}" ]; then
  kube=$WARRANT_KUBE_DIR
  trap 'rm -rf "$work"' EXIT
else
  kube=$work/kube
  trap '"$shared/kube/cluster.sh" stop "$kube" >/dev/null 2>&1; rm -rf "$work"' EXIT
fi
"$shared/kube/cluster.sh" start "$kube" > "$work/exports"
. "$work/exports"
python3 - "$work" "$shared/testdata/manifests/microservices-demo.yaml" "$rounds" $binaries <<'PY'
import os, statistics, subprocess, sys, time
work, demo, rounds, binaries = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
admin = os.environ["KUBECONFIG"]

def run(args, stdin=None):
    done = subprocess.run(args, capture_output=True, text=True, input=stdin)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{done.stderr[-3000:]}")
    return done

def timed(args):
    start = time.perf_counter()
    done = run(args)
    return (time.perf_counter() - start) * 1000, done

def load():
    return open("/proc/loadavg").read().split()[0]

def generated(path):
    docs = []
    for i in range(150):
        docs.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: config-{i}, labels: {{app: bench}}}}\ndata: {{index: \"{i}\", payload: \"{'x' * 256}\"}}\n")
    for i in range(100):
        # Headless: the test control plane's service IP range holds 254 addresses.
        docs.append(f"apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}}}\nspec: {{clusterIP: None, selector: {{app: app-{i}}}, ports: [{{port: 80, targetPort: 8080}}]}}\n")
    for i in range(50):
        docs.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}}}}}\n    spec:\n      containers: [{{name: app, image: \"nginx:1.27\", resources: {{requests: {{cpu: 10m, memory: 16Mi}}}}}}]\n")
    open(path, "w").write("---\n".join(docs))
    return path

inputs = [("demo, 35 objects", demo), ("generated, 300 objects", generated(os.path.join(work, "objects-300.yaml")))]
suffix = str(os.getpid())
results = {}
loads = [load()]
for label, path in inputs:
    for index, binary in enumerate(binaries):
        ns = f"bench-{index}-{len(results)}-{suffix}"
        run(["kubectl", "create", "namespace", ns])
        ci = os.path.join(work, f"{ns}.kubeconfig")
        run([binaries[-1], "credentials", "create", "--name", "ci", "-n", ns, "-f", path, "--apply", "--kubeconfig", admin,
             "--kubeconfig-out", ci, "--no-wait"])
        deploy = [binary, "deploy", "-f", path, "-n", ns, "--kubeconfig", ci, "--prune"]
        cold, _ = timed(deploy)
        results[(label, binary)] = {"cold": cold, "again": [], "command": deploy}
    kns = f"bench-kubectl-{len(results)}-{suffix}"
    run(["kubectl", "create", "namespace", kns])
    kubectl = ["kubectl", "apply", "--server-side", "-n", kns, "-f", path]
    kubectl_cold, _ = timed(kubectl)
    results[(label, "kubectl")] = {"cold": kubectl_cold, "again": []}
    for _ in range(rounds):
        for binary in binaries:
            ms, done = timed(results[(label, binary)]["command"])
            if "no changes" not in done.stderr:
                sys.exit(f"not a no-change deploy: {done.stderr[-2000:]}")
            results[(label, binary)]["again"].append(ms)
        ms, _ = timed(kubectl)
        results[(label, "kubectl")]["again"].append(ms)
    loads.append(load())

namespaces = [n for n in subprocess.run(["kubectl", "get", "namespaces", "-o", "name"], capture_output=True, text=True).stdout.split()
              if n.startswith("namespace/bench-") and n.endswith(f"-{suffix}")]
subprocess.run(["kubectl", "delete", "--wait=false"] + namespaces, capture_output=True)
print(f"rounds: {rounds}; load average (1 min) during the runs: {', '.join(loads)}; {os.cpu_count()} cores")
for (label, binary), numbers in results.items():
    again = numbers["again"]
    name = "kubectl apply --server-side" if binary == "kubectl" else f"warrant deploy --prune ({binary})"
    print(f"{label:24} {name}: cold {numbers['cold']:.0f} ms; no change median {statistics.median(again):.0f} ms, min {min(again):.0f} ms")
PY
