import Benchmark

let benchmarks: @Sendable () -> Void = {
    loaderBenchmarks()
    scopeBenchmarks()
    rbacBenchmarks()
    kubeAPIBenchmarks()
    evidenceBenchmarks()
}
