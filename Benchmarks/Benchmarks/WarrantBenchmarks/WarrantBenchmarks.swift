import Benchmark

let benchmarks: @Sendable () -> Void = {
    loaderBenchmarks()
    rbacBenchmarks()
}
