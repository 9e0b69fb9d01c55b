// The performance goals of the agent issue (14), measured on a release build with real `git` and
// `ssh-keygen` signatures against the project's API test server (in this process):
//
// 1. commit-to-applied at --interval 2s: a signed commit changing one of 300 objects is pushed at
//    a random moment of the poll interval; the time from the push's return to the loop's
//    `deployed` step (goal: median under 3 s);
// 2. a no-change reconcile of the 300 objects: the reconcile interval has passed, the last applied
//    commit is applied again and nothing changes (`git ls-remote` plus 300 server-side applies;
//    goal: under 100 ms);
// 3. a poll that finds the branch unchanged: its wall clock, the programs it runs and the API
//    requests it makes (goal: one `git ls-remote`).
//
// Usage: swift run -c release --package-path Benchmarks agent-loop [ROUNDS]
import Foundation

let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 15 : 15
try await AgentLoopBenchmark.run(rounds: rounds)
