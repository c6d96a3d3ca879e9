// Poll<T> and Result<T, E>: the two value types every future speaks.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <system_error>

#include <pollen.hpp>

using namespace pollen;

TEST(CorePoll, PendingConvertsToAnyPollAndIsNotReady) {
    Poll<int> p = pending;
    Poll<void> v = pending;
    EXPECT_TRUE(p.is_pending());
    EXPECT_FALSE(p.is_ready());
    EXPECT_FALSE(static_cast<bool>(p));
    EXPECT_TRUE(v.is_pending());
}

TEST(CorePoll, ReadyHoldsItsValue) {
    Poll<std::string> p = ready(std::string("hi"));
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), "hi");
    EXPECT_EQ(p.take(), "hi");
    Poll<void> v = ready();
    EXPECT_TRUE(v.is_ready());
}

TEST(CorePoll, ReadyConvertsToACompatibleType) {
    Poll<long> p = ready(7);
    EXPECT_EQ(p.take(), 7L);
}

TEST(CorePoll, HoldsMoveOnlyValues) {
    Poll<std::unique_ptr<int>> p = ready(std::make_unique<int>(5));
    std::unique_ptr<int> v = p.take();
    EXPECT_EQ(*v, 5);
}

namespace {
// Opaque to the optimizer: GCC 12 under ASan warns (falsely) about the empty
// optional inside a Pending Poll<int> it can see being built.
[[gnu::noinline]] Poll<int> poll_of(bool is_ready, int v) {
    if (is_ready) return ready(v);
    return pending;
}
}  // namespace

TEST(CorePoll, MapTransformsReadyAndKeepsPending) {
    Poll<int> r = poll_of(true, 20);
    auto doubled = std::move(r).map([](int v) { return v * 2; });
    EXPECT_EQ(doubled.take(), 40);
    Poll<int> p = poll_of(false, 0);
    bool called = false;
    auto still = std::move(p).map([&](int v) { called = true; return v; });
    EXPECT_TRUE(still.is_pending());
    EXPECT_FALSE(called);
}

TEST(CoreResult, OkAndErrConvertToResult) {
    Result<int, std::string> ok = Ok(3);
    Result<int, std::string> err = Err(std::string("bad"));
    EXPECT_TRUE(ok.is_ok());
    EXPECT_FALSE(ok.is_err());
    EXPECT_EQ(*ok, 3);
    EXPECT_TRUE(err.is_err());
    EXPECT_EQ(err.error(), "bad");
    EXPECT_FALSE(static_cast<bool>(err));
}

TEST(CoreResult, VoidValueIsUnit) {
    Result<void, int> ok = Ok();
    EXPECT_TRUE(ok.is_ok());
    EXPECT_EQ(ok.value(), Unit{});
    Result<void, int> err = Err(4);
    EXPECT_EQ(err.error(), 4);
}

TEST(CoreResult, UnwrapThrowsOnErrorAndValueOrFallsBack) {
    Result<int, std::error_code> err = Err(std::make_error_code(std::errc::timed_out));
    using IoResult = Result<int, std::error_code>;
    EXPECT_THROW((void)IoResult(err).unwrap(), BadResultAccess);
    EXPECT_EQ(std::move(err).value_or(9), 9);
    Result<int, std::error_code> ok = Ok(1);
    EXPECT_EQ(std::move(ok).unwrap(), 1);
}

TEST(CoreResult, ComparesByContent) {
    Result<int, int> a = Ok(1), b = Ok(1), c = Err(1);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_TRUE((is_result_v<Result<int, int>>));
    EXPECT_FALSE(is_result_v<int>);
}
