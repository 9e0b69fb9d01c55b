/// Why a manifest could not be used, where, and what to do about it.
///
/// Every error names a file (and a line where one applies) and carries a hint that tells the user
/// how to fix the input. Commands exit with code 2 on any of these.
public struct ManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is; stable, for tests and machine-readable output.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable {
            case fileNotFound = "file-not-found"
            case unreadable
            case notUTF8 = "not-utf8"
            case syntax
            case notAnObject = "not-an-object"
            case missingField = "missing-field"
            case wrongType = "wrong-type"
            case tooDeep = "too-deep"
            case tooLarge = "too-large"
            case unknownKind = "unknown-kind"
            case invalidResourceMap = "invalid-resource-map"
            case renderFailed = "render-failed"
            case namespaceMismatch = "namespace-mismatch"
            case clusterScoped = "cluster-scoped"
            case invalidNumber = "invalid-number"
            case invalidName = "invalid-name"
        }

        fileprivate let value: Value

        /// The file or folder does not exist.
        public static let fileNotFound = Code(value: .fileNotFound)
        /// The file exists but could not be read.
        public static let unreadable = Code(value: .unreadable)
        /// The bytes are not UTF-8.
        public static let notUTF8 = Code(value: .notUTF8)
        /// YAML or JSON syntax error, including duplicate keys and undefined aliases.
        public static let syntax = Code(value: .syntax)
        /// A document is not a mapping.
        public static let notAnObject = Code(value: .notAnObject)
        /// `apiVersion`, `kind`, `metadata` or `metadata.name` is missing.
        public static let missingField = Code(value: .missingField)
        /// A field has the wrong type (a label value that is a number, say).
        public static let wrongType = Code(value: .wrongType)
        /// Nesting deeper than ``ManifestLimits/maximumDepth``.
        public static let tooDeep = Code(value: .tooDeep)
        /// Alias expansion or size beyond ``ManifestLimits``.
        public static let tooLarge = Code(value: .tooLarge)
        /// A kind that neither the built-in table, the input's CRDs nor a resource map describes.
        public static let unknownKind = Code(value: .unknownKind)
        /// A `--resource-map` file that is not of the documented form.
        public static let invalidResourceMap = Code(value: .invalidResourceMap)
        /// `kubectl kustomize` is missing or failed.
        public static let renderFailed = Code(value: .renderFailed)
        /// An object names another namespace than the one deployed to.
        public static let namespaceMismatch = Code(value: .namespaceMismatch)
        /// A cluster-scoped object where only namespaced ones can go (a namespace's deploy).
        public static let clusterScoped = Code(value: .clusterScoped)
        /// A number JSON cannot carry (`.inf`, `.nan`) or beyond the 64-bit ranges.
        public static let invalidNumber = Code(value: .invalidNumber)
        /// A name or namespace Kubernetes does not accept for the kind (see ``ObjectNames``).
        public static let invalidName = Code(value: .invalidName)

        /// The stable name of the code (`not-utf8`).
        public var description: String { value.rawValue }
    }

    /// What kind of problem this is.
    public var code: Code
    /// Where: the file, and the line when known.
    public var location: SourceLocation
    /// What is wrong, in one sentence.
    public var message: String
    /// What to do about it.
    public var hint: String?

    /// Creates an error.
    public init(_ code: Code, at location: SourceLocation, _ message: String, hint: String? = nil) {
        self.code = code
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// `file:line: message` followed by the hint on its own line.
    public var description: String {
        var text = "\(location): \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

/// Several manifest errors found in one pass, reported together.
public struct ManifestErrors: Error, Sendable, CustomStringConvertible {
    /// The errors, in input order.
    public var errors: [ManifestError]

    /// Wraps errors.
    public init(_ errors: [ManifestError]) {
        self.errors = errors
    }

    /// One error per paragraph.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Bounds that keep hostile input from exhausting memory or stack.
public struct ManifestLimits: Sendable, Hashable {
    /// The deepest nesting of mappings and lists accepted in one document. Real manifests stay
    /// below 30 (a CRD's OpenAPI schema is the deepest common case); the default is 100.
    public var maximumDepth: Int
    /// Bytes that YAML aliases may add, on top of twice the input's size: every value counts one
    /// byte and every string and key its length, aliases expanded. A document without aliases
    /// never comes near; a "billion laughs" bomb and a few aliases of one huge string are stopped.
    public var aliasExpansionAllowance: Int
    /// The largest input accepted, in bytes (default 256 MiB): each file, standard input and each
    /// rendered kustomization, counted as it is read.
    public var maximumFileSize: Int

    /// Creates limits.
    public init(maximumDepth: Int = 100, aliasExpansionAllowance: Int = 100_000, maximumFileSize: Int = 256 << 20) {
        self.maximumDepth = maximumDepth
        self.aliasExpansionAllowance = aliasExpansionAllowance
        self.maximumFileSize = maximumFileSize
    }

    /// The defaults.
    public static let `default` = ManifestLimits()
}
