// The pipe_commands sample, run as its users would: `ls -l DIR | wc -l` over
// a directory made here with a known number of entries, through io::copy and
// with the pipe handed from one child to the other; both give the same count.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/sample_process.hpp"

using namespace pollen::test_support;
namespace stdfs = std::filesystem;

TEST(Samples, PipeCommandsCountsWhatLsLists) {
    char tmpl[] = "/tmp/pollen-samples-process-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    stdfs::path dir = tmpl;
    for (int i = 0; i < 5; ++i) std::ofstream(dir / ("file" + std::to_string(i))) << i;

    CommandRun r = run_sample("pipe_commands", dir.string());
    std::error_code ec;
    stdfs::remove_all(dir, ec);
    ASSERT_EQ(r.status, 0) << r.output;
    // `ls -l` prints a "total" line and one line per entry.
    EXPECT_PRINTS(r, "ls -l " + dir.string() + " | wc -l (through io::copy): 6");
    EXPECT_PRINTS(r, "ls -l " + dir.string() + " | wc -l (pipe handed over): 6");
    EXPECT_PRINTS(r, "handed over: ls: exit status: 0, wc: exit status: 0");
    EXPECT_PRINTS(r, "through us:  copied ");
}
