import Synchronization

/// Large values a command holds until ``release()`` frees them, on whichever thread calls it:
/// the loaded manifests, the policy and the report of `audit` are hundreds of thousands of
/// values, which need not be freed before the command has written its output.
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
