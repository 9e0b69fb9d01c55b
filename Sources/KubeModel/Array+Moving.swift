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
