import Audit
import KubeModel
import RBAC
import Testing
import WarrantTestSupport
import WarrantTesting

/// The audit's claims are requests the authorizer allows: every live finding naming a subject,
/// and every escalation step, is checked against the RBAC engine (kube-apiserver's authorizer,
/// re-expressed) on generated corpora. `RealClusterAuditTests` asks a real API server the same.
@Suite(.ownThread) struct AuditClaimTests {
    static let seeds: [UInt64] = [1, 2, 3, 4, 5, 6]

    @Test("every claim on a generated corpus is allowed by the authorizer", arguments: seeds)
    func claimsAreAllowedByTheAuthorizer(seed: UInt64) throws {
        let objects = SyntheticRBAC.objects(scale: 0.03, seed: seed, options: .init(risky: true))
        let policy = try RBACPolicy(objects: objects)
        let report = Auditor().audit(objects: objects, policy: policy)
        let all = claims(of: report)
        #expect(all.count > 200)
        let false_ = all.filter { !policy.allows($0.request.by($0.user)) }
        #expect(false_.isEmpty, "\(false_.count) false claims, first: \(false_.prefix(5).map(\.description).joined(separator: "\n"))")
        #expect(findingsWithoutClaims(report).isEmpty, "\(findingsWithoutClaims(report).prefix(3).map(\.message))")
    }

    @Test func generatedCorporaReachTheRiskyChecks() throws {
        var checks: Set<String> = []
        for seed in Self.seeds {
            let objects = SyntheticRBAC.objects(scale: 0.03, seed: seed, options: .init(risky: true))
            let report = Auditor().audit(objects: objects, policy: try RBACPolicy(objects: objects))
            checks.formUnion(report.findings.map(\.checkID))
            checks.formUnion(report.findings.flatMap(\.folded))
        }
        for id in ["W101", "W102", "W103", "W104", "W106", "W108", "W111", "W113", "W114", "W115", "W116", "W117", "W121", "W126", "W201", "W301"] {
            #expect(checks.contains(id), "\(id) never found")
        }
    }
}
