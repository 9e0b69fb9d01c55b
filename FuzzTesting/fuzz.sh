#!/usr/bin/env bash
# Builds the libFuzzer target for the manifest loader and runs it.
#   FuzzTesting/fuzz.sh [SECONDS]   (default 600)
# Crashes are written to FuzzTesting/crash-*; new inputs grow FuzzTesting/corpus-work/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
swift build -c release --scratch-path ../.build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xcc -fsanitize=fuzzer-no-link,address \
  --product FuzzManifestLoader
mkdir -p corpus-work
cp -n corpus/* corpus-work/ 2>/dev/null || true
# The shared real-world manifests, when present next to the checkout, seed the corpus too (not committed here).
for file in ../../shared/testdata/manifests/*.yaml; do
  [ -f "$file" ] && head -c 8000 "$file" > "corpus-work/shared-$(basename "$file")"
done
# -rss_limit_mb bounds memory per input; -timeout flags inputs slower than 10 s (alias bombs must be stopped early).
../.build-fuzz/release/FuzzManifestLoader corpus-work -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -print_final_stats=1 -artifact_prefix=./
