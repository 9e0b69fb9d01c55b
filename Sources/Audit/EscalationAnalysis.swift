import KubeModel
import RBAC

/// Finds multi-hop escalation paths: a subject that can create pods (and so run as any
/// ServiceAccount of the namespace), request ServiceAccount tokens, read token Secrets, impersonate
/// or use nodes/proxy gains the rights of other subjects; a path is reported when it ends at a
/// subject with more: cluster-wide rights the start lacks, or a more severe live finding.
struct EscalationAnalysis {
    let policy: RBACPolicy
    let objects: [KubeObject]
    let subjects: [SubjectPermissions]

    /// The deepest path searched.
    static let maximumSteps = 3

    private struct Power: Comparable {
        var clusterWide: Bool
        var severity: Int
        static func < (lhs: Power, rhs: Power) -> Bool { (lhs.clusterWide ? 1 : 0, lhs.severity) < (rhs.clusterWide ? 1 : 0, rhs.severity) }
    }

    private struct Means {
        /// Namespaces where the subject can run as any ServiceAccount, `*` for all; with the means.
        var namespaces: [String: String] = [:]
        /// Namespaces where the subject can read the token Secrets of ServiceAccounts that have one.
        var tokenSecrets: [String: String] = [:]
        /// Whether it can become anyone (impersonation).
        var anyone: String?
    }

    func paths() -> [EscalationPath] {
        var accountsByNamespace: [String: [Subject]] = [:]
        var known: Set<String> = []
        func addAccount(_ subject: Subject) {
            guard subject.kind == .serviceAccount, let namespace = subject.namespace, known.insert(subject.description).inserted else { return }
            accountsByNamespace[namespace, default: []].append(subject)
        }
        for entry in subjects { addAccount(entry.subject) }
        var withTokenSecret: Set<String> = []
        for object in objects where object.groupKind.group == "" {
            let namespace = object.namespace ?? policy.defaultNamespace
            if object.kind == "ServiceAccount" {
                addAccount(Subject.serviceAccount(object.name, namespace: namespace))
            } else if object.kind == "Secret", object.content["type"]?.stringValue == "kubernetes.io/service-account-token",
                let account = object.annotations["kubernetes.io/service-account.name"]
            {
                let subject = Subject.serviceAccount(account, namespace: namespace)
                addAccount(subject)
                withTokenSecret.insert(subject.description)
            }
        }
        var power: [String: Power] = [:]
        var means: [String: Means] = [:]
        for entry in subjects {
            power[entry.subject.description] = Power(clusterWide: entry.isClusterWide, severity: rank(entry.highestSeverity))
            means[entry.subject.description] = capabilities(entry)
        }
        let bySubject = Dictionary(subjects.map { ($0.subject.description, $0.subject) }, uniquingKeysWith: { first, _ in first })

        var result: [EscalationPath] = []
        for entry in subjects {
            let start = entry.subject
            let startPower = power[start.description] ?? Power(clusterWide: false, severity: -1)
            guard let startMeans = means[start.description],
                startMeans.anyone != nil || !startMeans.namespaces.isEmpty || !startMeans.tokenSecrets.isEmpty
            else { continue }
            // Breadth-first over subjects, shortest path to each.
            var visited: Set<String> = [start.description]
            var frontier: [(Subject, [EscalationPath.Step])] = [(start, [])]
            var found: [EscalationPath] = []
            for _ in 0..<Self.maximumSteps {
                var next: [(Subject, [EscalationPath.Step])] = []
                for (current, steps) in frontier {
                    guard let currentMeans = means[current.description] else { continue }
                    if let how = currentMeans.anyone {
                        found.append(
                            EscalationPath(
                                from: start, steps: steps + [EscalationPath.Step(means: how, gains: .group("system:masters"))],
                                reachesClusterWide: true, endSeverity: .critical))
                        continue
                    }
                    let routes =
                        currentMeans.namespaces.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value, false) }
                        + currentMeans.tokenSecrets.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value, true) }
                    for (namespace, how, needsTokenSecret) in routes {
                        let targets = namespace == "*" ? accountsByNamespace.values.flatMap { $0 } : accountsByNamespace[namespace] ?? []
                        for target in targets where !needsTokenSecret || withTokenSecret.contains(target.description) {
                            guard visited.insert(target.description).inserted else { continue }
                            let step = EscalationPath.Step(means: how, gains: target)
                            let targetPower = power[target.description] ?? Power(clusterWide: false, severity: -1)
                            if targetPower > startPower {
                                found.append(
                                    EscalationPath(
                                        from: start, steps: steps + [step], reachesClusterWide: targetPower.clusterWide && !startPower.clusterWide,
                                        endSeverity: bySubject[target.description].flatMap { _ in severity(targetPower.severity) }))
                            }
                            next.append((target, steps + [step]))
                        }
                    }
                }
                frontier = next
                if frontier.isEmpty { break }
            }
            result.append(contentsOf: found)
        }
        return result
    }

    private func capabilities(_ entry: SubjectPermissions) -> Means {
        var means = Means()
        for item in entry.entries {
            let scope = item.namespace ?? "*"
            for rule in item.rules where rule.isResourceRule {
                if rule.resourceNames.isEmpty == false { continue }
                if RuleInspector.grantsVerb(rule, "impersonate"),
                    ["users", "groups", "serviceaccounts"].contains(where: { RuleInspector.grants(rule, group: "", resource: $0) })
                {
                    means.anyone = "impersonate (\(item.role))"
                }
                if (RuleInspector.grantsVerb(rule, "get") || RuleInspector.grantsVerb(rule, "create")),
                    RuleInspector.grants(rule, group: "", resource: "nodes/proxy")
                {
                    means.namespaces["*"] = "exec through nodes/proxy (\(item.role))"
                }
                if RuleInspector.grantsVerb(rule, "create"),
                    [("", "pods"), ("apps", "deployments"), ("apps", "daemonsets"), ("apps", "statefulsets"), ("apps", "replicasets"), ("batch", "jobs"), ("batch", "cronjobs")]
                        .contains(where: { RuleInspector.grants(rule, group: $0.0, resource: $0.1) })
                {
                    means.namespaces[scope] = means.namespaces[scope] ?? "create pods \(scope == "*" ? "in any namespace" : "in \(scope)") (\(item.role))"
                }
                if RuleInspector.grantsVerb(rule, "create"), RuleInspector.grants(rule, group: "", resource: "serviceaccounts/token") {
                    means.namespaces[scope] = means.namespaces[scope] ?? "request tokens \(scope == "*" ? "in any namespace" : "in \(scope)") (\(item.role))"
                }
                if RuleInspector.grantsVerb(rule, "list"), RuleInspector.grants(rule, group: "", resource: "secrets") {
                    means.tokenSecrets[scope] = means.tokenSecrets[scope] ?? "read token Secrets \(scope == "*" ? "in any namespace" : "in \(scope)") (\(item.role))"
                }
            }
        }
        return means
    }

    private func rank(_ severity: Severity?) -> Int {
        guard let severity else { return -1 }
        return Severity.allCases.firstIndex(of: severity) ?? -1
    }

    private func severity(_ rank: Int) -> Severity? {
        rank >= 0 && rank < Severity.allCases.count ? Severity.allCases[rank] : nil
    }
}
