import Testing
@Test func kubeAPIPlaceholder() { #expect(Bool(true)) }
