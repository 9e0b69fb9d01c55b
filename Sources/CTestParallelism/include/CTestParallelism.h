// How many tests Swift Testing runs at once in Warrant's test binary; see parallelism.c.
#ifndef WARRANT_CTESTPARALLELISM_H
#define WARRANT_CTESTPARALLELISM_H

/// The width this library set when the test binary loaded, or 0 when the environment already
/// named one (which is then left as it is).
int warrant_test_parallelization_width(void);

#endif
