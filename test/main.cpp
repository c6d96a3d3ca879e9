// The suite's entry point: GoogleTest's usual run, then the one line CI reads.
#include <gtest/gtest.h>

#include <cstdio>

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    // Death tests fork; "threadsafe" re-executes the binary, safe with threads alive.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    int status = RUN_ALL_TESTS();
    const auto* unit = ::testing::UnitTest::GetInstance();
    std::fflush(stdout);
    std::printf("%d passed, %d failed\n", unit->successful_test_count(), unit->failed_test_count());
    return status;
}
