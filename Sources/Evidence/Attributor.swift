import Delivery
public import KubeModel

/// Attributes requests from the audit log to deploy records and people.
///
/// A request belongs to a deploy record when:
/// - its user is the record's credential, authenticated directly (not impersonated), in the
///   record's namespace, and its client is Warrant (the user agent `warrant/VERSION`);
/// - it arrived in the record's run: from `started` to `finished` (plus one second, as the
///   record's times are rounded down to the second), widened by ``AttributionRules/clockTolerance``
///   on both sides;
/// - its object (group, resource, name; no subresource) is one the record applied or pruned, or
///   one of the deploy's own: the ApplySet parent, the history ConfigMap, the deploy's Event
///   (`warrant-deploy.<record id>`) and the Lease named like the ApplySet parent that serialises
///   deploys, the last three allowed up to ``AttributionRules/recordWriteAllowance`` after `finished`;
/// - or it failed (status ≥ 400, nothing changed; the record lists only what changed), or it is
///   a read: both matched by credential and time alone.
///
/// Otherwise the user decides (``Principal``): a person's own credential is that person; the
/// control plane is the control plane; a ServiceAccount (a deploy credential used outside any
/// record, or any other) and `system:anonymous` are **unattributed**, unless the auditor declared
/// the user automation. Impersonation: a request made by one user as another is attributed to the
/// user who authenticated.
///
/// The user agent only ever takes attribution away: the client chooses it, so a request by a
/// deploy credential counts toward a deploy only when it is Warrant's (``isWarrant(_:)``), and
/// kubectl or a script using the CI token while a deploy ran is unattributed; Warrant's user
/// agent alone never attributes anything.
public struct Attributor: Sendable {
    private struct Window: Sendable {
        var entry: RecordEntry
        var start: MicroTime
        var end: MicroTime
        var ownEnd: MicroTime
        var objects: Set<String>
        var unresolvedObjects: Set<String>
        var eventName: String
    }

    private let rules: AttributionRules
    /// The windows by namespace, then by credential, latest start first.
    private let windows: [String: [String: [Window]]]
    /// Every user that is some record's credential.
    public let deployCredentials: Set<String>

    /// Indexes `records` for attribution.
    ///
    /// - Parameters:
    ///   - records: the deploy records (from the cluster and from CI artifacts, each once).
    ///   - rules: tolerance, automation users, the ApplySet parents.
    ///   - kinds: maps a record's kinds to the resources the audit log names; kinds it lacks are
    ///     matched by group and name alone.
    public init(records: [RecordEntry], rules: AttributionRules, kinds: KindTable = .builtin) {
        self.rules = rules
        var windows: [String: [String: [Window]]] = [:]
        var credentials: Set<String> = []
        for entry in records {
            let record = entry.record
            guard let started = MicroTime(rfc3339: record.started) else { continue }
            credentials.insert(record.credential)
            var finished = MicroTime(rfc3339: record.finished) ?? started.adding(seconds: Double(record.durations["total"] ?? 0) / 1000)
            if finished < started { finished = started }
            var objects: Set<String> = []
            var unresolved: Set<String> = []
            for object in record.applied + record.pruned {
                let reference = object.reference
                if let resource = kinds.kind(reference.groupKind)?.resource {
                    objects.insert(Self.key(group: reference.group, resource: resource, name: reference.name))
                } else {
                    unresolved.insert("\(reference.group)/\(reference.name)")
                }
            }
            let end = finished.adding(seconds: 1 + rules.clockTolerance)
            let window = Window(
                entry: entry, start: started.adding(seconds: -rules.clockTolerance), end: end, ownEnd: end.adding(seconds: rules.recordWriteAllowance),
                objects: objects, unresolvedObjects: unresolved, eventName: "warrant-deploy.\(record.id.lowercased())")
            windows[record.namespace, default: [:]][record.credential, default: []].append(window)
        }
        for namespace in windows.keys {
            for user in windows[namespace]?.keys.map({ $0 }) ?? [] { windows[namespace]?[user]?.sort { $0.start > $1.start } }
        }
        self.windows = windows
        deployCredentials = credentials
    }

    /// Who `event` is attributed to.
    public func attribute(_ event: AuditEvent) -> Attribution {
        // Only Warrant's own requests (its user agent) count toward a deploy: the CI token used by
        // kubectl or a script while a deploy ran, or within the clock tolerance after it, is not
        // the deploy.
        if event.impersonatedUser == nil, Self.isWarrant(event.userAgent), let ref = event.objectRef, let candidates = windows[ref.namespace]?[event.user] {
            for window in candidates where event.received >= window.start && event.received <= window.ownEnd {
                if matches(event, ref, window) { return .deploy(Self.attribution(window.entry)) }
            }
        }
        let user = event.user
        switch Principal.of(user) {
        case .unauthenticated:
            return .unauthenticated
        case _ where rules.isAutomation(user):
            return .automation(user)
        case .anonymous:
            return .unattributed("an anonymous request (system:anonymous); no credential names anyone")
        case .controlPlane:
            return .controlPlane(user)
        case .person:
            return .person(user)
        case .serviceAccount(let namespace, let name):
            if let impersonated = event.impersonatedUser {
                return .unattributed("ServiceAccount \(namespace)/\(name) impersonated \(impersonated); no person is named")
            }
            if deployCredentials.contains(user) {
                let during = event.objectRef.flatMap { ref in
                    windows[ref.namespace]?[user]?.first { event.received >= $0.start && event.received <= $0.end }
                }
                if let during, !Self.isWarrant(event.userAgent) {
                    let agent = event.userAgent.isEmpty ? "a client that sent no user agent" : event.userAgent
                    return .unattributed(
                        "the deploy credential \(user) was used by \(agent), not by Warrant, while deploy \(during.entry.record.id) ran")
                }
                if let during {
                    return .unattributed(
                        "the deploy credential \(user) wrote an object that deploy \(during.entry.record.id) does not list, while that deploy ran")
                }
                return .unattributed("the deploy credential \(user) was used outside any recorded deploy")
            }
            return .unattributed("ServiceAccount \(namespace)/\(name) is no deploy record's credential; the audit log names no person behind it")
        }
    }

    private func matches(_ event: AuditEvent, _ ref: AuditEvent.ObjectRef, _ window: Window) -> Bool {
        let inRun = event.received <= window.end
        // Reads and failed requests change nothing that a record would list.
        if inRun && (!event.isWrite || !event.succeeded) { return true }
        guard ref.subresource.isEmpty else { return false }
        if ref.apiGroup.isEmpty && ref.resource == "configmaps" && isHistoryName(ref.name) { return true }
        if (ref.apiGroup.isEmpty || ref.apiGroup == "events.k8s.io") && ref.resource == "events" && ref.name == window.eventName { return true }
        // The Lease that serialises deploys of one ApplySet (named like its parent) is taken
        // before the deploy starts and given up after its record is written.
        if ref.apiGroup == "coordination.k8s.io" && ref.resource == "leases" && rules.applySetNames.contains(ref.name) { return true }
        guard inRun else { return false }
        if ref.apiGroup.isEmpty && ref.resource == "configmaps" && rules.applySetNames.contains(ref.name) { return true }
        if window.objects.contains(Self.key(group: ref.apiGroup, resource: ref.resource, name: ref.name)) { return true }
        return window.unresolvedObjects.contains("\(ref.apiGroup)/\(ref.name)")
    }

    private func isHistoryName(_ name: String) -> Bool {
        if name == rules.historyName { return true }
        let prefix = rules.historyName + "-"
        guard name.hasPrefix(prefix) else { return false }
        let suffix = name.dropFirst(prefix.count)
        return !suffix.isEmpty && suffix.allSatisfy(\.isNumber)
    }

    /// The person, commit and pipeline a record names. For the agent's records (issue 14), the
    /// commit signers (`signers`, a list of names or of objects with `principal` or `name`) name
    /// the people; otherwise the CI actor.
    static func attribution(_ entry: RecordEntry) -> DeployAttribution {
        let record = entry.record
        var person = record.identity.actor
        var source = record.identity.actorSource
        var namesPerson = record.identity.isActorKnown
        if let signers = record.additionalFields["signers"]?.arrayValue, !signers.isEmpty {
            let names = signers.compactMap { signer -> String? in
                signer.stringValue ?? signer["principal"]?.stringValue ?? signer["name"]?.stringValue
            }
            if !names.isEmpty {
                var seen: Set<String> = []
                person = names.filter { seen.insert($0).inserted }.joined(separator: ", ")
                source = "commit signers"
                namesPerson = true
            }
        }
        if let claimed = record.identity.claimedActor, namesPerson { person += " (claimed --actor \(claimed))" }
        return DeployAttribution(
            recordID: record.id, person: person, personSource: source, namesPerson: namesPerson, commit: record.identity.commit,
            pipeline: record.identity.pipelineURL ?? record.identity.pipelineID, verified: entry.verified)
    }

    static func key(group: String, resource: String, name: String) -> String { "\(group)/\(resource)/\(name)" }

    /// Whether a request's user agent is Warrant's: `warrant/VERSION` as `warrant deploy` and the
    /// agent send it, or `warrant`, the API client's default. The client sets it, so this tells
    /// Warrant from kubectl and scripts, not from someone imitating Warrant on purpose.
    static func isWarrant(_ userAgent: String) -> Bool { userAgent == "warrant" || userAgent.hasPrefix("warrant/") }

}
