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

    /// What `body` computes from the value, which must not be released yet.
    func withValue<Result: Sendable>(_ body: (Value) -> Result) -> Result {
        value.withLock { value in
            guard let value else { preconditionFailure("the value is already released") }
            return body(value)
        }
    }

    /// Frees the value, unless it is already freed.
    func release() {
        let value = self.value.withLock { $0.take() }
        _ = consume value
    }
}
