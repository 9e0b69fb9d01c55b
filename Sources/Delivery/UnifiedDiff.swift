/// Line diffs in the unified format of `diff -u` (GNU diffutils), computed with a longest common
/// subsequence after trimming the common prefix and suffix.
enum UnifiedDiff {
    struct Edit: Equatable {
        enum Kind: Equatable { case equal, delete, insert }
        var kind: Kind
        /// 0-based line in the old text (for `equal` and `delete`) or in the new text (`insert`).
        var oldIndex: Int
        var newIndex: Int
        var line: String
    }

    /// The edit script turning `old` into `new`.
    static func edits(old: [String], new: [String]) -> [Edit] {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] {
            suffix += 1
        }
        let a = Array(old[prefix..<(old.count - suffix)])
        let b = Array(new[prefix..<(new.count - suffix)])
        // lengths[i][j]: LCS length of a[i...] and b[j...].
        var lengths = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var result: [Edit] = (0..<prefix).map { Edit(kind: .equal, oldIndex: $0, newIndex: $0, line: old[$0]) }
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                result.append(Edit(kind: .equal, oldIndex: prefix + i, newIndex: prefix + j, line: a[i]))
                i += 1
                j += 1
            } else if i < a.count, j == b.count || lengths[i + 1][j] >= lengths[i][j + 1] {
                // Deletions before insertions, as diff -u prints them.
                result.append(Edit(kind: .delete, oldIndex: prefix + i, newIndex: prefix + j, line: a[i]))
                i += 1
            } else {
                result.append(Edit(kind: .insert, oldIndex: prefix + i, newIndex: prefix + j, line: b[j]))
                j += 1
            }
        }
        for offset in 0..<suffix {
            let oldIndex = old.count - suffix + offset
            result.append(Edit(kind: .equal, oldIndex: oldIndex, newIndex: new.count - suffix + offset, line: old[oldIndex]))
        }
        return result
    }

    /// The unified diff text, ending in a newline, or `nil` when the texts are equal.
    static func text(old: [String], new: [String], oldName: String, newName: String, context: Int) -> String? {
        let script = edits(old: old, new: new)
        let changes = script.indices.filter { script[$0].kind != .equal }
        guard let firstChange = changes.first else { return nil }
        // Group changes whose context overlaps into hunks of edit-script ranges.
        var hunks: [ClosedRange<Int>] = []
        var start = max(0, firstChange - context)
        var end = min(script.count - 1, firstChange + context)
        for change in changes.dropFirst() {
            if change - context <= end + 1 {
                end = min(script.count - 1, change + context)
            } else {
                hunks.append(start...end)
                start = max(0, change - context)
                end = min(script.count - 1, change + context)
            }
        }
        hunks.append(start...end)
        var output = "--- \(oldName)\n+++ \(newName)\n"
        for hunk in hunks {
            let edits = script[hunk]
            let oldCount = edits.filter { $0.kind != .insert }.count
            let newCount = edits.filter { $0.kind != .delete }.count
            let first = script[hunk.lowerBound]
            output += "@@ -\(range(start: first.oldIndex, count: oldCount)) +\(range(start: first.newIndex, count: newCount)) @@\n"
            for edit in edits {
                switch edit.kind {
                case .equal: output += " \(edit.line)\n"
                case .delete: output += "-\(edit.line)\n"
                case .insert: output += "+\(edit.line)\n"
                }
            }
        }
        return output
    }

    /// GNU's range: `start,count` 1-based, `start` alone for one line, and the line before for none.
    private static func range(start: Int, count: Int) -> String {
        switch count {
        case 0: return "\(start),0"
        case 1: return "\(start + 1)"
        default: return "\(start + 1),\(count)"
        }
    }
}
