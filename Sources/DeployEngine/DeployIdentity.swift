public import Delivery
public import KubeModel

/// Who a deploy is recorded for: the CI identity (actor, commit, pipeline) and members a caller
/// adds to the record.
///
/// `warrant deploy` reads ``ci`` from the CI variables and `--actor`. A pull-style agent sets its
/// own members in ``recordFields`` (signer principals, the commit range, the repository URL);
/// they become part of the record's digest. A member the record itself writes (`actor`,
/// `commit`, `result`, …) always wins over one of the same name here.
public struct DeployIdentity: Sendable, Hashable {
    /// The person and pipeline behind the deploy.
    public var ci: CIIdentity
    /// Extra members of the record, kept in ``DeployRecord/additionalFields``.
    public var recordFields: JSONObject

    /// Creates an identity.
    public init(ci: CIIdentity = CIIdentity(), recordFields: JSONObject = JSONObject()) {
        self.ci = ci
        self.recordFields = recordFields
    }
}
