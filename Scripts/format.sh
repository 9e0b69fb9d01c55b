#!/bin/sh
# Formats the Swift sources with swift-format and the repository's .swift-format (lines up to 160
# columns, 4 spaces). `Scripts/format.sh --check` changes nothing and fails when a file is not
# formatted (what .ci/run runs).
set -eu
cd "$(dirname "$0")/.."
command -v swift >/dev/null 2>&1 || PATH="/opt/swift/usr/bin:$PATH"
paths="Sources Tests Benchmarks/Sources Package.swift Benchmarks/Package.swift FuzzTesting"
if [ "${1:-}" = "--check" ]; then
  # shellcheck disable=SC2086
  swift format lint --strict --recursive --parallel $paths
else
  # shellcheck disable=SC2086
  swift format format --in-place --recursive --parallel $paths
fi
