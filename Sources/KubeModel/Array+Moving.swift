extension Array {
    /// Appends the elements of `other`, moved rather than copied (no reference counting), and
    /// leaves `other` empty: for joining the large lists that parts of a parallel job produce.
    @inlinable package mutating func append(moving other: inout [Element]) {
        if isEmpty && capacity < other.count {
            swap(&self, &other)
            return
        }
        other.withUnsafeMutableBufferPointer { $0.reverse() }
        while !other.isEmpty { append(other.removeLast()) }
    }
}

extension Array {
    /// Copies the elements into an allocation of their size when appending left room for more
    /// (it grows by doubling), and lets the larger one go: for values that are kept, such as a
    /// parsed tree's lists and objects.
    @inlinable package mutating func trimCapacity() {
        guard capacity > count else { return }
        var trimmed: [Element] = []
        trimmed.reserveCapacity(count)
        trimmed.append(contentsOf: self)
        self = trimmed
    }
}
