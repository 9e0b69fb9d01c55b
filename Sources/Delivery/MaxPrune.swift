/// The `--max-prune` safety limit: how many members one deploy may delete before Warrant refuses
/// to prune (a manifest folder emptied by mistake must not wipe the namespace).
///
/// Written `N` (a count) or `P%` (a share of the set's previous members). The default is
/// ``default``, 25 % of the previous members and at least 1, so a set of 1–7 objects may lose
/// one per deploy, a set of 40 up to 10. A limit of `0` or `0%` forbids pruning altogether.
public enum MaxPrune: Sendable, Hashable, CustomStringConvertible {
    /// At most this many deletions.
    case count(Int)
    /// At most this percentage of the previous members, rounded down but at least 1 when the percentage is above 0.
    case percent(Int)

    /// 25 % of the set, at least 1.
    public static let `default` = MaxPrune.percent(25)

    /// Parses `N` or `P%` (`P` from 0 to 100).
    ///
    /// - Throws: ``MaxPruneError`` for anything else.
    public init(parsing text: String) throws(MaxPruneError) {
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasPrefix("-") { throw MaxPruneError(text: text, problem: "is negative") }
        if trimmed.hasSuffix("%") {
            guard let value = Int(trimmed.dropLast()) else { throw MaxPruneError(text: text) }
            guard (0...100).contains(value) else { throw MaxPruneError(text: text, problem: "is above 100%") }
            self = .percent(value)
        } else {
            guard let value = Int(trimmed) else { throw MaxPruneError(text: text) }
            self = .count(value)
        }
    }

    /// The largest number of deletions allowed for a set that had `previousMembers` members.
    public func limit(previousMembers: Int) -> Int {
        switch self {
        case .count(let count):
            return count
        case .percent(let percent):
            guard percent > 0 else { return 0 }
            return max(1, max(0, previousMembers) * percent / 100)
        }
    }

    /// Whether deleting `candidates` objects from a set that had `previousMembers` members exceeds the limit.
    public func isExceeded(candidates: Int, previousMembers: Int) -> Bool {
        candidates > limit(previousMembers: previousMembers)
    }

    /// `N` or `P%`, as parsed.
    public var description: String {
        switch self {
        case .count(let count): "\(count)"
        case .percent(let percent): "\(percent)%"
        }
    }
}

extension ApplySet {
    /// Whether pruning `candidates` exceeds `limit` for a set that had `previousMembers` members.
    public static func exceedsMaxPrune(candidates: Int, previousMembers: Int, limit: MaxPrune = .default) -> Bool {
        limit.isExceeded(candidates: candidates, previousMembers: previousMembers)
    }
}

/// A `--max-prune` value that is neither `N` nor `P%` with `P` from 0 to 100.
public struct MaxPruneError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text given.
    public var text: String
    /// What is wrong with it.
    public var problem: String

    /// Creates an error; the default problem is that the text is neither form.
    public init(text: String, problem: String = "is not a count or a percentage") {
        self.text = text
        self.problem = problem
    }

    /// What went wrong and what to write instead.
    public var description: String {
        "--max-prune '\(text)' \(problem) (write a count such as 5, or a percentage from 0% to 100% such as 20%)"
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
