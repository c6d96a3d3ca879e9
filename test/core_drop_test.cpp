// pollen::drop(std::move(x)), Rust's std::mem::drop: the value is destroyed
// before drop returns, and the moved-from source is left empty.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <pollen/core/drop.hpp>

namespace {

/// Records, into a shared log, when it is destroyed (moved-from ones say nothing).
struct Loud {
    std::vector<std::string>* log;
    std::string name;
    Loud(std::vector<std::string>* l, std::string n) : log(l), name(std::move(n)) {}
    Loud(Loud&& o) noexcept : log(std::exchange(o.log, nullptr)), name(std::move(o.name)) {}
    ~Loud() {
        if (log) log->push_back("drop " + name);
    }
};

TEST(Drop, DestroysTheValueBeforeReturning) {
    std::vector<std::string> log;
    Loud a(&log, "a");
    pollen::drop(std::move(a));
    log.push_back("after drop");
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0], "drop a");
    EXPECT_EQ(log[1], "after drop");
}

TEST(Drop, LeavesTheSourceMovedFrom) {
    auto p = std::make_unique<int>(7);
    std::weak_ptr<int> watch;
    auto shared = std::make_shared<int>(3);
    watch = shared;
    pollen::drop(std::move(p));
    pollen::drop(std::move(shared));
    EXPECT_EQ(p, nullptr);
    EXPECT_EQ(shared, nullptr);
    EXPECT_TRUE(watch.expired());  // the last owner went with the call
}

TEST(Drop, AcceptsAPrvalue) {
    std::vector<std::string> log;
    pollen::drop(Loud(&log, "temp"));
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0], "drop temp");
}

}  // namespace
