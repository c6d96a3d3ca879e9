// Compile-fail: each classic mistake of test/compile_fail/ is refused with
// pollen's own short message.
//
// `make compile-fail-check` (a prerequisite of `make test` in the plain
// build) runs test/compile_fail.sh on every test/compile_fail/NAME.cpp and
// leaves $POLLEN_BUILD/compile_fail/NAME.ok beside each case whose first
// error carried the expected text within 20 lines, or NAME.log saying what
// went wrong. Make does not stop on a failing case so that it is counted
// here. The cases are found in the source folder, so one never checked, or
// checked before its last edit, fails too.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string build_dir() {
    const char* b = std::getenv("POLLEN_BUILD");
    return b && *b ? b : "build";
}

}  // namespace

TEST(CompileFail, EveryClassicMistakeGivesPollensMessage) {
    const fs::path cases = "test/compile_fail";
    if (!fs::is_directory(cases)) GTEST_SKIP() << "run the suite from the repository root";
    fs::path dir = fs::path(build_dir()) / "compile_fail";
    // Only `make compile-fail-check` (or a plain `make test`) creates the
    // folder; a suite built and run on its own, or a sanitizer build's, skips.
    if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is missing: run `make compile-fail-check` (make test does)";

    std::vector<fs::path> srcs;
    for (const auto& e : fs::directory_iterator(cases))
        if (e.path().extension() == ".cpp") srcs.push_back(e.path());
    std::sort(srcs.begin(), srcs.end());

    for (const fs::path& src : srcs) {
        std::string name = src.stem().string();
        fs::path ok = dir / (name + ".ok");
        if (fs::exists(ok) && fs::last_write_time(ok) >= fs::last_write_time(src)) continue;
        fs::path log = dir / (name + ".log");
        std::string why = fs::exists(log) ? read_file(log) : "not checked since its last edit: run `make compile-fail-check`";
        if (why.size() > 4000) { why.resize(4000); why.append("\n[...]"); }
        ADD_FAILURE() << "compile-fail case " << name << " (" << src.string() << "):\n" << why;
    }
    EXPECT_GT(srcs.size(), 0u) << "no case found in " << cases;
    std::printf("[          ] %zu compile-fail cases checked\n", srcs.size());
}
