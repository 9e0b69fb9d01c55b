/// The members of a JSON object, in the order they were written.
///
/// Kubernetes objects are mostly small mappings, so members live in one array and are found by a
/// linear scan; an object with more than ``indexThreshold`` members (a large ConfigMap's `data`)
/// also keeps a key index. Equality and hashing ignore order, as JSON does.
public struct JSONObject: Sendable {
    /// Member count from which lookups go through a dictionary instead of a scan.
    static let indexThreshold = 16

    private var members: [(key: String, value: JSONValue)]
    private var index: [String: Int]?

    /// Creates an empty object.
    public init() {
        members = []
    }

    /// Creates an object from key-value pairs; a repeated key keeps its first position and last value.
    public init(_ pairs: some Sequence<(String, JSONValue)>) {
        members = []
        for (key, value) in pairs { self[key] = value }
    }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether there are no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// Whether `key` is a member.
    public func contains(_ key: String) -> Bool { position(of: key) != nil }

    /// The value of `key`; assigning `nil` removes the member, assigning a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let position = position(of: key) {
                if let newValue {
                    members[position].value = newValue
                } else {
                    members.remove(at: position)
                    rebuildIndex()
                }
            } else if let newValue {
                members.append((key, newValue))
                if index != nil {
                    index?[key] = members.count - 1
                } else if members.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return members.firstIndex { $0.key == key }
    }

    private mutating func rebuildIndex() {
        guard members.count > Self.indexThreshold else {
            index = nil
            return
        }
        var built: [String: Int] = [:]
        built.reserveCapacity(members.count)
        for (offset, member) in members.enumerated() { built[member.key] = offset }
        index = built
    }

    /// Reserves room for `count` members.
    public mutating func reserveCapacity(_ count: Int) {
        members.reserveCapacity(count)
    }

    /// Changes the value of `key` in place, appending the member (as `null`) first when it is
    /// missing: a value held only by this object is changed without a copy.
    package mutating func modifyMember<Result>(_ key: String, _ body: (inout JSONValue) throws -> Result) rethrows -> Result {
        if let position = position(of: key) { return try body(&members[position].value) }
        appendUnchecked(key, .null)
        return try body(&members[members.count - 1].value)
    }

    /// Gives back the room that growing by appending left: a parsed object holds its members in
    /// an allocation of their size, not of the next power of two.
    mutating func trimCapacity() {
        members.trimCapacity()
    }

    /// Appends a member without checking for an existing key: for decoders that already rejected duplicates.
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        members.append((key, value))
        if index != nil {
            index?[key] = members.count - 1
        } else if members.count > Self.indexThreshold {
            rebuildIndex()
        }
    }
}

extension JSONObject: Sequence {
    /// Iterates over the members in order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }
}

extension JSONObject: Hashable {
    /// Two objects are equal when they have the same members, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.members {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }

    /// Hashes the members independently of their order.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (key, value) in members {
            var memberHasher = Hasher()
            memberHasher.combine(key)
            memberHasher.combine(value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(combined)
    }
}
