/// Comparison of secrets in constant time: the time taken depends on the lengths only, never on
/// where the first differing byte is, so that a webhook sender cannot learn a token or a
/// signature byte by byte from the response times.
package enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes.
    ///
    /// Every byte of the longer sequence is visited whatever the contents; sequences of
    /// different lengths are unequal (also when one is the other with zero bytes appended).
    package static func equal(_ lhs: some Sequence<UInt8>, _ rhs: some Sequence<UInt8>) -> Bool {
        let left = Array(lhs)
        let right = Array(rhs)
        var difference: UInt8 = left.count == right.count ? 0 : 1
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}
