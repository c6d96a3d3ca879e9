#include <gtest/gtest.h>
#include <pollen.hpp>
using namespace pollen;
TEST(Smoke, MapReady) {
    struct R : FutureExt<R> { using Output = int; Poll<int> poll(Context&) { return ready(20); } };
    auto f = R{}.map([](int v) { return v * 2; });
    Context cx(noop_waker_ref());
    auto p = f.poll(cx);
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.take(), 40);
}
