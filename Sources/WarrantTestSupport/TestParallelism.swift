import CTestParallelism

/// How many tests the test binary runs at once: see `Sources/CTestParallelism/parallelism.c`.
public enum TestParallelism {
    /// The environment variable Swift Testing reads the bound from.
    public static let variable = "SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH"

    /// The bound set when the binary loaded, or `nil` when the environment already named one.
    public static var widthSetAtLoad: Int? {
        let width = Int(warrant_test_parallelization_width())
        return width > 0 ? width : nil
    }
}
