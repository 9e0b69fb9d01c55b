import Foundation
import Testing
import WarrantTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The test binary bounds how many tests run at once (three per core, at least six) unless the
/// environment already did; without the bound, the whole suite on two cores starved the tests
/// that keep time.
@Test("the test binary runs at most three tests per core at once, at least six, unless the environment says otherwise")
func testParallelismIsBounded() throws {
    let value = try #require(ProcessInfo.processInfo.environment[TestParallelism.variable], "set for Swift Testing")
    let width = try #require(Int(value))
    if let set = TestParallelism.widthSetAtLoad {
        #expect(set == width)
        #expect(width == max(6, 3 * sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    } else {
        #expect(width >= 1, "a width given by the environment is kept: \(width)")
    }
}
