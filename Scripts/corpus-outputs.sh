#!/usr/bin/env bash
# Runs the built `warrant` on every manifest set of the shared corpus with the
# offline commands (no cluster) and writes stdout, stderr and the exit code of
# each run to a folder, so that a refactoring can show its outputs unchanged:
#
#   Scripts/corpus-outputs.sh /tmp/before          # before the change
#   Scripts/corpus-outputs.sh /tmp/after           # after it
#   diff -r /tmp/before /tmp/after
#
# WARRANT (default .build/debug/warrant) and MANIFESTS (default
# ../shared/testdata/manifests) choose the binary and the corpus.
set -u
out=${1:?usage: corpus-outputs.sh OUTPUT-FOLDER}
root=$(cd "$(dirname "$0")/.." && pwd)
warrant=${WARRANT:-$root/.build/debug/warrant}
manifests=${MANIFESTS:-$root/../shared/testdata/manifests}
[ -x "$warrant" ] || { echo "no warrant binary at $warrant (swift build first)" >&2; exit 2; }
[ -d "$manifests" ] || { echo "no corpus at $manifests" >&2; exit 2; }
mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# run NAME ARGS...: stdout, stderr and exit code of `warrant ARGS...` as NAME.*
run() {
    local name=$1; shift
    (cd "$scratch" && "$warrant" "$@" >"$out/$name.out" 2>"$out/$name.err")
    echo $? >"$out/$name.rc"
}

namespace_for() {
    case $1 in
        argocd-*) echo argocd ;;
        flux2-*) echo flux-system ;;
        ingress-nginx-*) echo ingress-nginx ;;
        app-*) echo default ;;
        *) echo shop ;;
    esac
}

sets=()
for file in "$manifests"/*.yaml; do sets+=("$file"); done
for file in "${sets[@]}" "$manifests"; do
    if [ -d "$file" ]; then base=all; else base=$(basename "$file" .yaml); fi
    ns=$(namespace_for "$base")
    for format in table json yaml; do
        run "$base.manifests.$format" manifests -f "$file" -o "$format"
    done
    run "$base.scope" scope -f "$file" -n "$ns"
    run "$base.scope.json" scope -f "$file" -n "$ns" -o json
    run "$base.scope.explain" scope -f "$file" -n "$ns" --explain
    for method in warrant kubectl kubectl-ssa; do
        run "$base.scope.for-$method" scope -f "$file" -n "$ns" --for "$method"
    done
    run "$base.scope.for-warrant.prune-wait" scope -f "$file" -n "$ns" --for warrant --prune --wait
    for format in text json sarif junit markdown; do
        run "$base.audit.$format" audit -f "$file" -n "$ns" -o "$format"
    done
    run "$base.audit.no-namespace" audit -f "$file"
    # The checks on the way: objects in another namespace than -n.
    run "$base.scope.other-namespace" scope -f "$file" -n elsewhere
done

# restrict: the CI/CD tool installs of the corpus.
restrict() {
    local name=$1; shift
    run "$name" restrict "$@" --admin-out admin.yaml --report report.txt
    for extra in admin.yaml report.txt; do
        if [ -f "$scratch/$extra" ]; then mv "$scratch/$extra" "$out/$name.$extra"; fi
    done
}
restrict argocd-install.restrict -f "$manifests/argocd-install.yaml" -n argocd --target-namespaces shop,web
restrict argocd-namespace-install.restrict -f "$manifests/argocd-namespace-install.yaml" -n argocd --target-namespaces shop
restrict argocd-install.restrict.json -f "$manifests/argocd-install.yaml" -n argocd --target-namespaces shop -o json \
    --allow-from "$manifests/microservices-demo.yaml"
restrict flux2.restrict -f "$manifests/flux2-gotk-components.yaml" -n flux-system --target-namespaces shop \
    --allow-from "$manifests/microservices-demo.yaml"
restrict flux2.restrict.sa -f "$manifests/flux2-gotk-components.yaml" -n flux-system --target-namespaces shop,web \
    --flux-service-account flux-applier --default-requests cpu=50m,memory=64Mi --default-limits cpu=1,memory=512Mi
restrict ingress-nginx.restrict -f "$manifests/ingress-nginx-cloud-deploy.yaml" -n ingress-nginx --target-namespaces shop --profile generic
echo "wrote $(ls "$out" | wc -l) files to $out"
