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
// With `service`, issue 15's goals for the `warrant` executable as a process (AgentServiceBenchmark).
//
// Usage: swift run -c release --package-path Benchmarks agent-loop [ROUNDS]
//        agent-loop service PATH-TO-WARRANT [MINUTES (5)] [PUSHES (15)]
import Foundation

let arguments = CommandLine.arguments
if arguments.count > 2, arguments[1] == "service" {
    try await AgentServiceBenchmark.run(
        warrant: arguments[2], minutes: arguments.count > 3 ? Double(arguments[3]) ?? 5 : 5, pushes: arguments.count > 4 ? Int(arguments[4]) ?? 15 : 15)
} else {
    let rounds = arguments.count > 1 ? Int(arguments[1]) ?? 15 : 15
    try await AgentLoopBenchmark.run(rounds: rounds)
}
