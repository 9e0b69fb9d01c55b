public import KubeModel
public import RBAC

/// One kind of API request a deploy makes, and why: the unit `scope` derives Roles from and
/// `--explain` prints.
public struct PlannedRequest: Sendable, Hashable {
    /// The RBAC verb.
    public var verb: String
    /// The API group, `""` for core.
    public var apiGroup: String
    /// The resource, possibly `resource/subresource`.
    public var resource: String
    /// When set, the request always names this object and the rule may be limited to it.
    public var resourceName: String?
    /// The name the request carries without limiting the rule (an applied object's name), `nil`
    /// for collection requests (`list`, `watch`).
    public var objectName: String?
    /// Why the request is made (`server-side apply creates the object when it is missing`).
    public var reason: String
    /// The object that causes it (`Deployment shop/web`), or `nil` for the deploy itself.
    public var object: String?
    /// Where that object is written.
    public var source: SourceLocation?
    /// How many objects beyond ``object`` need the same request for the same reason: the
    /// planner names at most ``RequestPlanner/namedObjectsPerRequest`` objects of a kind per
    /// verb and counts the rest here, so that a large input is planned in little memory.
    public var otherObjects: Int

    /// Creates a planned request.
    public init(
        verb: String, apiGroup: String, resource: String, resourceName: String? = nil, objectName: String? = nil, reason: String,
        object: String? = nil, source: SourceLocation? = nil, otherObjects: Int = 0
    ) {
        self.otherObjects = otherObjects
        self.objectName = objectName
        self.verb = verb
        self.apiGroup = apiGroup
        self.resource = resource
        self.resourceName = resourceName
        self.reason = reason
        self.object = object
        self.source = source
    }

    /// The request as the authorizer sees it, made by `user` in `namespace`.
    public func accessRequest(user: UserInfo, namespace: String) -> AccessRequest {
        AccessRequest(
            user: user, verb: verb, apiGroup: apiGroup, resource: resource, name: resourceName ?? objectName ?? "", namespace: namespace)
    }
}
