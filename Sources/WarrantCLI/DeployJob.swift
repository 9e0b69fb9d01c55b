import RBAC
import ScopePlanning

/// The deploy step of the CI job `credentials` prints: the command a credential scoped for a
/// deploy method and options can run, with exactly those options, so that the first pipeline
/// passes its pre-flight (a `warrant deploy --prune --wait` with a credential scoped without
/// them is refused; one scoped with them and run without is refused as too broad).
struct DeployJob: Sendable, Hashable {
    var method: DeployMethod
    var options: DeployOptions
    var namespace: String
    /// Where the job finds the manifests.
    var manifests: String = "deploy/"
    /// The workloads a `kubectl` job waits for (`deployment/web`); a placeholder when unknown.
    var workloads: [String] = []

    /// The shell commands of the deploy step, one per line.
    var commands: [String] {
        switch method {
        case .warrant:
            var command = "warrant deploy -f \(manifests) -n \(namespace)"
            if options.prune { command += " --prune" }
            if options.applySetName != DeployOptions().applySetName { command += " --applyset \(options.applySetName)" }
            if options.wait { command += " --wait" }
            return [command + " --record-file deploy-record.jsonl"]
        case .kubectl, .kubectlSSA:
            var command = "kubectl apply\(method == .kubectlSSA ? " --server-side" : "") -f \(manifests) -n \(namespace)"
            if options.prune { command = "KUBECTL_APPLYSET=true " + command + " --prune --applyset=configmaps/\(options.applySetName)" }
            var commands = [command]
            if options.wait {
                for workload in workloads.isEmpty ? ["deployment/NAME"] : workloads {
                    commands.append("kubectl rollout status \(workload) -n \(namespace) --timeout=5m")
                }
            }
            return commands
        case .helm:
            let driver = options.helmStorage == .configMap ? "HELM_DRIVER=configmap " : ""
            return ["\(driver)helm upgrade --install RELEASE ./chart -n \(namespace)\(options.wait ? " --wait" : "")"]
        }
    }

    /// The records a job keeps as artifacts (`warrant deploy --record-file`).
    var artifacts: [String] { method == .warrant ? ["deploy-record.jsonl"] : [] }

    /// The flags of `warrant credentials kubeconfig` that print this job.
    var kubeconfigFlags: String {
        var flags = ""
        if method != .warrant { flags += " --for \(method)" }
        if !options.prune { flags += " --no-prune" }
        if !options.wait { flags += " --no-wait" }
        if method == .helm, options.helmStorage == .configMap { flags += " --helm-storage configmap" }
        return flags
    }
}
