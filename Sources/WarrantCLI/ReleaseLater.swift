import Synchronization

/// A value held until ``release()`` frees it on the calling thread: a command hands over inputs
/// it no longer needs, so that freeing them (hundreds of thousands of objects for a large
/// cluster) runs on another core while the report is written.
final class ReleaseLater<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>

    /// Takes `value` over.
    init(_ value: consuming sending Value) {
        self.value = Mutex(value)
    }

    /// Frees the value, unless it is already freed.
    func release() {
        let value = self.value.withLock { $0.take() }
        _ = consume value
    }
}
