// Replays every file of the fuzz corpora (test/fuzz/corpus/<target>/: seeds,
// inputs the fuzzer found interesting, and crash reproducers) through the same
// target functions the libFuzzer binaries of `make fuzz` call, so that what
// the fuzzer once found stays fixed in the ordinary g++ suite.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/buf_reader_lines.hpp"
#include "fuzz/http_request.hpp"
#include "fuzz/resp_parser.hpp"

namespace {

namespace stdfs = std::filesystem;

// The corpus folder, found from the working directory (the repository root
// under `make test`) or next to this source file.
stdfs::path corpus_dir(const char* target) {
    stdfs::path here = stdfs::path(__FILE__).parent_path() / "fuzz" / "corpus" / target;
    stdfs::path cwd = stdfs::path("test") / "fuzz" / "corpus" / target;
    return stdfs::exists(cwd) ? cwd : here;
}

template <class Target>
void replay(const char* target, Target run) {
    stdfs::path dir = corpus_dir(target);
    ASSERT_TRUE(stdfs::is_directory(dir)) << dir;
    std::size_t files = 0;
    for (const auto& entry : stdfs::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::string broken = run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        EXPECT_EQ(broken, "") << entry.path();
        ++files;
    }
    EXPECT_GT(files, 0u) << "an empty corpus in " << dir;
}

}  // namespace

TEST(FuzzRegression, BufReaderLinesCorpusHoldsItsProperties) {
    replay("buf_reader_lines", pollen::fuzz::buf_reader_lines);
}

TEST(FuzzRegression, HttpRequestParserCorpusHoldsItsProperties) {
    replay("http_request", pollen::fuzz::http_request);
}

TEST(FuzzRegression, RespParserCorpusHoldsItsProperties) { replay("resp_parser", pollen::fuzz::resp_parser); }
