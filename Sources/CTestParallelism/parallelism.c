// Bounds how many tests Swift Testing runs at once in the test binary.
//
// Swift Testing starts every test at once by default. On the two-core CI machine that is about
// 700 tests together with the subprocesses they start (git, ssh-keygen, gpg, the warrant
// executable, a real kube-apiserver), and the tests that keep time (Lease renewals every 200 ms,
// an agent's pass waited for, a webhook's effect) were starved past their deadlines in every
// full run. With at most six at once, full runs took 3.5 to 5 minutes, about as long as
// unbounded ones, and passed (four of four, one of them a fresh clone's .ci/run).
//
// The bound is Swift Testing's SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH, set here before
// `main` runs (a constructor of this object, which every test target links through
// WarrantTestSupport) so that a plain `swift test` gets it: three tests per core, at least six.
// A value already in the environment is kept, so `SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=1
// swift test` runs the tests one by one. A toolchain that does not know the variable ignores it.
#include "CTestParallelism.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *const variable = "SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH";
static int width_set = 0;

__attribute__((constructor)) static void warrant_bound_test_parallelism(void) {
    if (getenv(variable) != NULL) return;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long width = cores > 0 ? 3 * cores : 6;
    if (width < 6) width = 6;
    char text[24];
    snprintf(text, sizeof text, "%ld", width);
    if (setenv(variable, text, 0) == 0) width_set = (int)width;
}

int warrant_test_parallelization_width(void) { return width_set; }
