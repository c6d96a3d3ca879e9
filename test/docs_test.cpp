// Docs: every ```cpp block of README.md and docs/*.md compiles against pollen.
//
// `make doccheck` (a prerequisite of `make test`) extracts the blocks with
// test/doc_blocks.sh into $POLLEN_BUILD/docs/NAME_N.cpp and leaves NAME_N.ok
// beside each one that compiled (linked, and ran if marked). Make does not
// stop on a failing block so that the failure is counted here. This test
// finds the blocks in the Markdown on its own, so a block that was never
// extracted, or extracted before its last edit, fails too.
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

struct Block {
    std::string name;  // STEM_N, as test/doc_blocks.sh names it
    std::string text;  // what doc_blocks.sh writes to NAME.cpp
    int line;          // line of the block's closing fence in its Markdown file
};

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool is_cpp_fence(const std::string& line) {
    if (!starts_with(line, "```cpp")) return false;
    return line.find_first_not_of(" \t", 6) == std::string::npos;
}

bool is_marker(const std::string& line) {
    if (!starts_with(line, "<!-- doccheck: ")) return false;
    std::size_t end = line.find(" -->");
    return end != std::string::npos && line.find_first_not_of(" \t", end + 4) == std::string::npos;
}

/// The same reading as doc_blocks.sh's awk program.
std::vector<Block> blocks_of(const std::string& md) {
    std::string stem = md.substr(0, md.size() - 3);
    std::replace(stem.begin(), stem.end(), '/', '_');
    std::replace(stem.begin(), stem.end(), '.', '_');

    std::vector<Block> out;
    std::istringstream in(read_file(md));
    std::string line, markers, body, prev;
    bool in_block = false, run = false;
    int n = 0, lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (in_block && starts_with(line, "```")) {
            in_block = false;
            out.push_back({stem + "_" + std::to_string(n), (run ? "// doccheck: run\n" : "") + body, lineno});
            prev = body;
            markers.clear();
        } else if (in_block) {
            body += line + "\n";
        } else if (is_cpp_fence(line)) {
            in_block = true;
            ++n;
            run = markers.find("doccheck: run") != std::string::npos;
            body = markers.find("doccheck: continues") != std::string::npos ? prev : "";
            body += "#line " + std::to_string(lineno + 1) + " \"" + md + "\"\n";
        } else if (is_marker(line)) {
            markers += line;
        } else {
            markers.clear();
        }
    }
    return out;
}

std::string build_dir() {
    const char* b = std::getenv("POLLEN_BUILD");
    return b && *b ? b : "build";
}

}  // namespace

TEST(Docs, EveryCodeBlockCompiles) {
    if (!fs::exists("README.md")) GTEST_SKIP() << "run the suite from the repository root";
    fs::path dir = fs::path(build_dir()) / "docs";
    // Only `make doccheck` (or `make test`) creates the folder; a suite built
    // and run on its own skips rather than fails.
    if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is missing: run `make doccheck` (make test does)";

    std::vector<std::string> mds{"README.md"};
    if (fs::is_directory("docs"))
        for (const auto& e : fs::directory_iterator("docs"))
            if (e.path().extension() == ".md") mds.push_back(e.path().generic_string());
    std::sort(mds.begin() + 1, mds.end());

    int total = 0;
    for (const std::string& md : mds) {
        for (const Block& b : blocks_of(md)) {
            ++total;
            fs::path cpp = dir / (b.name + ".cpp");
            fs::path ok = dir / (b.name + ".ok");
            std::string where = md + ", the cpp block ending at line " + std::to_string(b.line);
            if (!fs::exists(cpp) || read_file(cpp) != b.text) {
                ADD_FAILURE() << where << " (" << b.name << ") was not extracted since its last edit: run `make doccheck`";
                continue;
            }
            if (!fs::exists(ok) || fs::last_write_time(ok) < fs::last_write_time(cpp)) {
                std::string log = fs::exists(dir / (b.name + ".log")) ? read_file(dir / (b.name + ".log")) : "";
                if (log.size() > 4000) { log.resize(4000); log.append("\n[...]"); }
                ADD_FAILURE() << where << " (" << cpp.string() << ") does not compile"
                              << (starts_with(b.text, "// doccheck: run") ? " or run" : "") << ":\n"
                              << log;
            }
        }
    }
    EXPECT_GT(total, 0) << "no cpp block found in README.md or docs/*.md";
    std::printf("[          ] %d code blocks checked in %zu Markdown files\n", total, mds.size());
}
