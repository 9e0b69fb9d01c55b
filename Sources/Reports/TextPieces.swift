import KubeModel

/// A long text written piece by piece, lists of lines concurrently, and joined once at the end
/// (the text report of a large cluster is tens of megabytes).
struct TextPieces {
    private var pieces: [String] = []
    private var current = ""

    /// Appends `text`.
    static func += (lhs: inout TextPieces, rhs: String) {
        lhs.current += rhs
    }

    /// Appends the text `line` writes for each of `items`, in order; long lists are written in
    /// parts on every core.
    mutating func append<Item: Sendable>(_ items: [Item], _ line: @Sendable (borrowing Item, inout String) -> Void) {
        pieces.append(current)
        current = ""
        pieces += ParallelChunks.map(items.count, minimumLength: 1_024) { range in
            var out = ""
            // Each item is read in place, not copied.
            items.withUnsafeBufferPointer { items in
                for index in range { line(items[index], &out) }
            }
            return out
        }
    }

    /// The whole text.
    consuming func joined() -> String {
        pieces.append(current)
        var text = ""
        text.reserveCapacity(pieces.reduce(0) { $0 + $1.utf8.count })
        for piece in pieces { text += piece }
        return text
    }
}
