public import KubeModel

extension RBACPolicy {
    /// The policy of the RBAC objects in `objects` that the API server accepts, each read once,
    /// and the others refused with the API server's reasons (``RBACValidation``), with their
    /// positions in `objects`. Objects that are not RBAC objects are ignored.
    ///
    /// For the audit, which reports refused objects instead of stopping at them; other commands
    /// use ``init(objects:defaultNamespace:)``, which stops at malformed ones.
    public static func validated(
        objects: [KubeObject], defaultNamespace: String = "default"
    ) -> (
        policy: RBACPolicy, rejected: [RBACValidation.Rejection], rejectedPositions: [Int]
    ) {
        // Large inputs are read in parts on every core, and joined in input order.
        var parts = ParallelChunks.map(objects.count, minimumLength: 2_048) { range in
            var roles: [RBACRole] = []
            var bindings: [RBACBinding] = []
            var rejected: [(Int, RBACValidation.Rejection)] = []
            for index in range where RBACAPI.isRBACObject(objects[index]) {
                switch RBACValidation.check(NamespacePlacement.placed(objects[index], in: defaultNamespace, kinds: .builtin)) {
                case .role(let role): roles.append(role)
                case .binding(let binding): bindings.append(binding)
                case .rejected(let rejection): rejected.append((index, rejection))
                }
            }
            return (roles: roles, bindings: bindings, rejected: rejected)
        }
        var roles: [RBACRole] = []
        var bindings: [RBACBinding] = []
        roles.reserveCapacity(parts.reduce(0) { $0 + $1.roles.count })
        bindings.reserveCapacity(parts.reduce(0) { $0 + $1.bindings.count })
        for index in parts.indices {
            roles.append(moving: &parts[index].roles)
            bindings.append(moving: &parts[index].bindings)
        }
        let rejected = parts.flatMap(\.rejected)
        return (RBACPolicy(roles: roles, bindings: bindings, defaultNamespace: defaultNamespace), rejected.map(\.1), rejected.map(\.0))
    }
}
