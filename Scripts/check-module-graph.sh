#!/bin/sh
# Checks Package.swift's module graph for what the code relies on but the compiler does not check:
# - no product target (the warrant executable, WarrantCLI, the libraries) depends, directly or
#   through another target, on a testing module (WarrantTesting, KubeTestServer,
#   WarrantTestSupport, WarrantCLITestSupport, CTestParallelism);
# - only the CLI's and the agent's test targets (WarrantCLITests, AgentTests) link WarrantCLI.
# Run by .ci/run; prints each violation and exits 1 when there is one.
set -eu
cd "$(dirname "$0")/.."
command -v swift >/dev/null 2>&1 || PATH="/opt/swift/usr/bin:$PATH"
swift package dump-package | python3 -c '
import json, sys
package = json.load(sys.stdin)
targets = {t["name"]: t for t in package["targets"]}
def direct(name):
    for dependency in targets[name].get("dependencies", []):
        for kind in ("byName", "target"):
            if kind in dependency and dependency[kind][0] in targets:
                yield dependency[kind][0]
def closure(name):
    seen, stack = set(), [name]
    while stack:
        for other in direct(stack.pop()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen
testing = {"WarrantTesting", "KubeTestServer", "WarrantTestSupport", "WarrantCLITestSupport", "CTestParallelism"}
cli_tests = {"WarrantCLITests", "AgentTests"}
cli_test_names = " and ".join(sorted(cli_tests))
problems = []
for name, target in sorted(targets.items()):
    if target["type"] in ("test", "system") or name in testing:
        continue
    for module in sorted(closure(name) & testing):
        problems.append(f"{name} depends on the testing module {module}")
for name, target in sorted(targets.items()):
    if target["type"] == "test" and name not in cli_tests and "WarrantCLI" in closure(name):
        problems.append(f"{name} links WarrantCLI; only {cli_test_names} may")
for problem in problems:
    print("module graph:", problem)
sys.exit(1 if problems else 0)
'
