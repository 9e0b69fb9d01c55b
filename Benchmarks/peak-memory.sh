#!/usr/bin/env bash
# Peak resident memory and wall clock of the release `warrant` executable on generated inputs
# (issue 18: at most 4x the input + 64 MB on every command).
#
#   swift build -c release
#   KUBECONFIG=admin.kubeconfig NAMESPACE=ns Benchmarks/peak-memory.sh [MEGABYTES...]   (default: 10 50 250)
#   WARRANT=.build/debug/warrant Benchmarks/peak-memory.sh 50                          (another executable)
#
# The inputs are written to ${TMPDIR:-/tmp}/warrant-peak-memory: per application a Deployment
# (two containers with env, probes, resources), a Service, a ConfigMap, a ServiceAccount, a Role
# and a RoleBinding, without namespaces, names unique; the same shapes as SyntheticManifests.
#
# With KUBECONFIG and NAMESPACE (a cluster, e.g. ../shared/kube/cluster.sh), `deploy --dry-run`
# is measured twice: as the administrator without --allow-broad-credential, which loads,
# validates and scopes every object and is then refused by the pre-flight (exit 1); and, for
# inputs up to FULL_DRY_RUN_MB (default 10), with --allow-broad-credential, every object sent
# with dryRun=All.
set -euo pipefail
cd "$(dirname "$0")/.."
warrant=${WARRANT:-.build/release/warrant}
[ -x "$warrant" ] || { echo "build first: swift build -c release" >&2; exit 2; }
dir="${TMPDIR:-/tmp}/warrant-peak-memory"
mkdir -p "$dir"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 50 250)

generate() {
  awk -v target=$(( $1 * 1048576 )) '
    function labels(a, ind) {
      return ind "app.kubernetes.io/name: " a "\n" ind "app.kubernetes.io/part-of: shop\n" ind "app.kubernetes.io/version: 1.4.2\n"
    }
    function container(name, image, port) {
      return "      - name: " name "\n        image: " image "\n        ports:\n        - containerPort: " port "\n          name: http\n" \
        "        env:\n        - name: PORT\n          value: \"" port "\"\n        - name: POD_NAME\n          valueFrom:\n            fieldRef:\n" \
        "              fieldPath: metadata.name\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n" \
        "          limits:\n            memory: 256Mi\n        readinessProbe:\n          httpGet:\n            path: /healthz\n" \
        "            port: " port "\n          periodSeconds: 5\n        livenessProbe:\n          httpGet:\n            path: /healthz\n" \
        "            port: " port "\n          initialDelaySeconds: 10\n"
    }
    BEGIN {
      written = 0
      for (i = 0; written < target; i++) {
        a = "app-" i
        s = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " a "\n  labels:\n" labels(a, "    ") \
          "spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: " a "\n  template:\n    metadata:\n      labels:\n" \
          labels(a, "        ") "      annotations:\n        prometheus.io/scrape: \"true\"\n        prometheus.io/port: \"9090\"\n    spec:\n" \
          "      serviceAccountName: " a "\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile:\n          type: RuntimeDefault\n" \
          "      containers:\n" container(a, "registry.example.com/shop/" a ":1.4.2", 8080) container(a "-sidecar", "registry.example.com/proxy:2.1", 9090)
        s = s "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " a "\n  labels:\n" labels(a, "    ") "spec:\n  selector:\n" \
          "    app.kubernetes.io/name: " a "\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n    protocol: TCP\n  - name: metrics\n" \
          "    port: 9090\n    targetPort: 9090\n"
        s = s "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " a "-config\n  labels:\n" labels(a, "    ") "data:\n  LOG_LEVEL: info\n" \
          "  FEATURE_FLAGS: checkout,recommendations,reviews\n  DATABASE_URL: postgres://" a "-db:5432/" a "?sslmode=require\n" \
          "  application.yaml: |\n    server:\n      port: 8080\n      shutdown: graceful\n    management:\n      endpoints: [health, metrics]\n"
        s = s "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: " a "\n  labels:\n" labels(a, "    ")
        s = s "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: " a "-reader\n  labels:\n" labels(a, "    ") \
          "rules:\n- apiGroups:\n  - \"\"\n  resources:\n  - configmaps\n  resourceNames:\n  - " a "-config\n  verbs:\n  - get\n  - watch\n" \
          "- apiGroups:\n  - coordination.k8s.io\n  resources:\n  - leases\n  verbs:\n  - get\n  - create\n  - update\n"
        s = s "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: " a "-reader\n  labels:\n" labels(a, "    ") \
          "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: " a "-reader\nsubjects:\n- kind: ServiceAccount\n  name: " a "\n"
        printf "%s", s
        written += length(s)
      }
    }' > "$dir/manifests-$1mb.yaml"
}

measure() {
  local label=$1 input=$2
  shift 2
  /usr/bin/time -o "$dir/time.txt" -f "%M %e %x" "$@" > /dev/null 2> "$dir/stderr.txt" || true
  read -r kb seconds status < <(tail -1 "$dir/time.txt")
  local bytes
  bytes=$(stat -c %s "$input")
  printf "%-34s %6d MB input  peak %6d MB  (%.1fx input)  %6.1f s  exit %s\n" \
    "$label" $(( bytes / 1048576 )) $(( kb / 1024 )) "$(echo "$kb * 1024 / $bytes" | bc -l)" "$seconds" "$status"
}

for size in "${sizes[@]}"; do
  file="$dir/manifests-${size}mb.yaml"
  [ -f "$file" ] || generate "$size"
  measure "manifests -o json" "$file" "$warrant" manifests -f "$file" -o json
  measure "scope --prune --wait" "$file" "$warrant" scope -f "$file" -n shop --prune --wait
  measure "audit" "$file" "$warrant" audit -f "$file" --fail-on none
  measure "manifests -f - (standard input)" "$file" sh -c "exec $warrant manifests -f - < '$file'"
  if [ -n "${KUBECONFIG:-}" ] && [ -n "${NAMESPACE:-}" ]; then
    measure "deploy --dry-run (to pre-flight)" "$file" "$warrant" deploy -f "$file" -n "$NAMESPACE" --dry-run --kubeconfig "$KUBECONFIG"
    if [ "$size" -le "${FULL_DRY_RUN_MB:-10}" ]; then
      measure "deploy --dry-run (every object)" "$file" "$warrant" deploy -f "$file" -n "$NAMESPACE" --dry-run --allow-broad-credential \
        --kubeconfig "$KUBECONFIG"
    fi
  fi
done
