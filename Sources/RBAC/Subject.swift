import KubeModel

/// Who a binding grants its role to: a user, a group or a ServiceAccount.
public struct Subject: Sendable, Hashable, CustomStringConvertible {
    /// The kind of subject. Kinds other than `User`, `Group` and `ServiceAccount` are kept as
    /// written and never apply to anyone, as in Kubernetes.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The kind as written in `subjects[].kind`.
        public var rawValue: String

        /// Wraps a kind as written.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A user, matched by name.
        public static let user = Kind(rawValue: "User")
        /// A group, matched by membership.
        public static let group = Kind(rawValue: "Group")
        /// A ServiceAccount, matched as the user `system:serviceaccount:<namespace>:<name>`.
        public static let serviceAccount = Kind(rawValue: "ServiceAccount")

        /// The kind as written.
        public var description: String { rawValue }
    }

    /// The kind of subject.
    public var kind: Kind
    /// The user, group or ServiceAccount name.
    public var name: String
    /// For a ServiceAccount, its namespace; a RoleBinding's subject without one means the
    /// binding's namespace, a ClusterRoleBinding's subject without one matches nobody.
    public var namespace: String?
    /// `rbac.authorization.k8s.io` for users and groups, `""` for ServiceAccounts. Not used for matching.
    public var apiGroup: String

    /// Creates a subject; `apiGroup` defaults to the one Kubernetes expects for the kind.
    public init(kind: Kind, name: String, namespace: String? = nil, apiGroup: String? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.apiGroup = apiGroup ?? (kind == .serviceAccount ? "" : RBACAPI.group)
    }

    /// A `User` subject.
    public static func user(_ name: String) -> Subject { Subject(kind: .user, name: name) }

    /// A `Group` subject.
    public static func group(_ name: String) -> Subject { Subject(kind: .group, name: name) }

    /// A `ServiceAccount` subject.
    public static func serviceAccount(_ name: String, namespace: String?) -> Subject {
        Subject(kind: .serviceAccount, name: name, namespace: namespace)
    }

    /// Whether this subject designates `user`, as kube-apiserver's `appliesToUser` decides.
    ///
    /// - Parameters:
    ///   - user: the requesting user with all of its groups.
    ///   - namespace: the namespace of the RoleBinding holding the subject, or `""` for a
    ///     ClusterRoleBinding: a ServiceAccount subject without a namespace takes this one, and
    ///     matches nobody when it is empty.
    public func applies(to user: UserInfo, namespace: String) -> Bool {
        switch kind {
        case .user:
            return user.name == name
        case .group:
            return user.groups.contains(name)
        case .serviceAccount:
            guard let username = serviceAccountUsername(defaultNamespace: namespace) else { return false }
            return user.name == username
        default:
            return false
        }
    }

    /// The index of the first of `subjects` that applies to `user` (kube-apiserver's `appliesTo`).
    public static func firstIndex(in subjects: [Subject], applyingTo user: UserInfo, namespace: String) -> Int? {
        subjects.firstIndex { $0.applies(to: user, namespace: namespace) }
    }

    /// The user name of a ServiceAccount subject, its namespace defaulting to `defaultNamespace`;
    /// `nil` for other kinds and when neither namespace is set.
    public func serviceAccountUsername(defaultNamespace: String) -> String? {
        guard kind == .serviceAccount else { return nil }
        let effective = (namespace?.isEmpty ?? true) ? defaultNamespace : namespace ?? ""
        guard !effective.isEmpty else { return nil }
        return UserInfo.serviceAccountUsername(namespace: effective, name: name)
    }

    /// The subject with a missing ServiceAccount namespace filled in from the binding's.
    func resolved(bindingNamespace: String) -> Subject {
        guard kind == .serviceAccount, namespace?.isEmpty ?? true, !bindingNamespace.isEmpty else { return self }
        var copy = self
        copy.namespace = bindingNamespace
        return copy
    }

    /// `User "alice"`, `ServiceAccount "ci/deployer"`, as kube-apiserver names subjects.
    public var description: String {
        var text = ""
        write(to: &text)
        return text
    }

    /// Appends ``description`` to `text`, without building it on its own (reports write tens of
    /// thousands of subjects).
    package func write(to text: inout String) {
        text += kind.rawValue
        text += " \""
        if kind == .serviceAccount, let namespace, !namespace.isEmpty {
            text += namespace
            text += "/"
        }
        text += name
        text += "\""
    }

    /// Reads one entry of a binding's `subjects`.
    init(_ value: JSONValue, field: @autoclosure () -> String, reader: FieldReader) throws(ManifestError) {
        guard value.objectValue != nil else {
            throw reader.wrongType(
                field(), expected: "a mapping", found: value, hint: "each subject is a mapping with kind and name")
        }
        let kind = try reader.requiredString(
            value["kind"], "\(field()).kind", hint: "set kind to User, Group or ServiceAccount")
        let name = try reader.requiredString(value["name"], "\(field()).name", hint: "name the user, group or ServiceAccount")
        let namespace = try reader.string(value["namespace"], "\(field()).namespace")
        let apiGroup = try reader.string(value["apiGroup"], "\(field()).apiGroup")
        self.init(kind: Kind(rawValue: kind), name: name, namespace: namespace, apiGroup: apiGroup)
    }
}
