#pragma once
// Test support: whether the suite is a sanitizer build (`make test SAN=...`
// builds the samples it runs alike), and how much of a stress test to run
// there.
//
// A sanitizer reports a bad access or a race the first time it happens: ASan
// checks every access, TSan orders every synchronisation it sees, whichever
// interleaving the threads took. The volume that makes a plain run likely to
// meet a rare interleaving (a million wakes, a hundred megabytes) adds nothing
// to that and costs 5-50x the plain time under TSan, so a stress test sizes
// itself with `stress_scaled(n)`: n in a plain build, a tenth under a
// sanitizer. Memory bounds are not checked under a sanitizer either: its
// allocator keeps freed memory aside and its shadow memory counts in RSS.

#include <algorithm>

namespace pollen::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

template <class N>
constexpr N stress_scaled(N n) {
    return kSanitized ? std::max<N>(n / 10, 1) : n;
}

}  // namespace pollen::test
