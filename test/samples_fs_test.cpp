// The file samples, run as their users would: file_stats over a tree built
// here with counts known in advance (nested directories, an empty file, a
// file without a trailing newline, a file larger than one read buffer, a
// symlink to a file, a dangling symlink, a FIFO, a symlink to a directory,
// and an unreadable file when not root), its sync and async versions
// agreeing; copy_file copying megabytes byte for byte and failing with the
// path on a missing source or an unwritable destination.

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "support/sample_process.hpp"

using namespace pollen::test_support;
namespace stdfs = std::filesystem;

namespace {

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/pollen-samples-fs-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        // Give back any permission a test took away, so everything can be removed.
        for (auto& e : stdfs::recursive_directory_iterator(path_, ec))
            if (!e.is_symlink()) stdfs::permissions(e.path(), stdfs::perms::owner_all, stdfs::perm_options::add, ec);
        stdfs::remove_all(path_, ec);
    }
    const stdfs::path& path() const { return path_; }
    std::string str() const { return path_.string(); }

private:
    stdfs::path path_;
};

void spit(const stdfs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

std::string slurp(const stdfs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

/// The tree every file_stats test counts. Counted files (lines/words/bytes):
///   a.txt 2/5/24, empty.txt 0/0/0, no_newline.txt 1/3/16, sub/b.txt 3/3/6,
///   sub/deeper/c.txt 2/3/23, big.txt 20000/100000/540000 (larger than the
///   sample's 256 KiB buffer, and a word straddles the cut), link_to_a -> a.txt 2/5/24.
/// Directories: the root, sub, sub/deeper. Skipped: a FIFO and a symlink to
/// a directory. One error: a dangling symlink.
void make_tree(const stdfs::path& root) {
    spit(root / "a.txt", "one two three\nfour five\n");
    spit(root / "empty.txt", "");
    spit(root / "no_newline.txt", "alpha beta\ngamma");
    stdfs::create_directories(root / "sub" / "deeper");
    spit(root / "sub" / "b.txt", "x\ny\nz\n");
    spit(root / "sub" / "deeper" / "c.txt", "  spaced\t\twords here \n\n");
    spit(root / "big.txt", repeat("lorem ipsum dolor sit amet\n", 20000));
    stdfs::create_symlink("a.txt", root / "link_to_a");
    stdfs::create_symlink("no/such/target", root / "dangling");
    stdfs::create_directory_symlink("sub", root / "link_to_sub");
    ASSERT_EQ(::mkfifo((root / "fifo").c_str(), 0644), 0);
}

const std::string kTreeTotals =
    "totals: files=7 dirs=3 lines=20010 words=100019 bytes=540093 skipped=2 errors=1";

}  // namespace

TEST(SamplesFs, FileStatsCountsAKnownTreeExactly) {
    TempDir dir;
    make_tree(dir.path());
    CommandRun r = run_sample("file_stats", dir.str() + " --concurrency 3 --threads 2 --top 3");
    EXPECT_EQ(r.status, 1) << "a path could not be read: exit 1\n" << r.output;
    EXPECT_PRINTS(r, kTreeTotals);
    // The dangling symlink is an error that names its path, not a crash.
    EXPECT_PRINTS(r, "file_stats: error: metadata " + dir.str() + "/dangling: No such file or directory");
    // The largest files by lines, most first; ties broken by path.
    EXPECT_PRINTS(r, "largest 3 file(s) by lines:");
    std::size_t big = r.output.find(dir.str() + "/big.txt");
    std::size_t c = r.output.find(dir.str() + "/sub/b.txt");
    ASSERT_NE(big, std::string::npos) << r.output;
    ASSERT_NE(c, std::string::npos) << r.output;
    EXPECT_LT(big, c) << r.output;
    EXPECT_PRINTS(r, "20000 lines     100000 words       540000 bytes  " + dir.str() + "/big.txt");
    // The progress line goes to stderr: plain lines, as it is not a terminal.
    EXPECT_PRINTS(r, "file_stats (async): 7 files, 3 dirs");
}

TEST(SamplesFs, FileStatsSyncAndAsyncAgree) {
    TempDir dir;
    make_tree(dir.path());
    CommandRun sync = run_sample("file_stats", dir.str() + " --sync");
    EXPECT_EQ(sync.status, 1) << sync.output;
    EXPECT_PRINTS(sync, kTreeTotals);
    EXPECT_PRINTS(sync, "file_stats: error: metadata " + dir.str() + "/dangling: No such file or directory");

    for (const char* concurrency : {"1", "2", "64"}) {
        CommandRun both = run_sample("file_stats", dir.str() + " --compare --concurrency " + concurrency);
        EXPECT_EQ(both.status, 1) << both.output;
        EXPECT_PRINTS(both, kTreeTotals);
        EXPECT_PRINTS(both, "sync and async counts agree");
        EXPECT_PRINTS(both, "async: ");
        EXPECT_PRINTS(both, "sync:  ");
    }
}

TEST(SamplesFs, FileStatsCleanTreeExitsZero) {
    TempDir dir;
    stdfs::create_directories(dir.path() / "x" / "y");
    spit(dir.path() / "x" / "y" / "one.txt", "just one line\n");
    spit(dir.path() / "two.txt", "two\nlines");
    CommandRun r = run_sample("file_stats", dir.str() + " --top 1");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_PRINTS(r, "totals: files=2 dirs=3 lines=2 words=5 bytes=23 skipped=0 errors=0");
    EXPECT_PRINTS(r, "largest 1 file(s) by lines:");
    EXPECT_EQ(r.output.find("file_stats: error"), std::string::npos) << r.output;
}

TEST(SamplesFs, FileStatsUnreadableFileIsReportedWithItsPath) {
    if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode; the dangling symlink covers errors";
    TempDir dir;
    make_tree(dir.path());
    spit(dir.path() / "secret.txt", "hidden words\n");
    stdfs::permissions(dir.path() / "secret.txt", stdfs::perms::none);
    stdfs::create_directory(dir.path() / "locked");
    spit(dir.path() / "locked" / "inside.txt", "unseen\n");
    stdfs::permissions(dir.path() / "locked", stdfs::perms::none);

    CommandRun r = run_sample("file_stats", dir.str() + " --compare");
    EXPECT_EQ(r.status, 1) << r.output;
    // The locked directory is found (dirs=4) but not read.
    EXPECT_PRINTS(r, "totals: files=7 dirs=4 lines=20010 words=100019 bytes=540093 skipped=2 errors=3");
    EXPECT_PRINTS(r, "file_stats: error: open " + dir.str() + "/secret.txt: Permission denied");
    EXPECT_PRINTS(r, "file_stats: error: read_dir " + dir.str() + "/locked: Permission denied");
    EXPECT_PRINTS(r, "sync and async counts agree");
}

TEST(SamplesFs, FileStatsMissingRootIsAnErrorWithItsPath) {
    TempDir dir;
    std::string missing = dir.str() + "/not-there";
    CommandRun r = run_sample("file_stats", missing);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_PRINTS(r, "file_stats: error: metadata " + missing + ": No such file or directory");
    EXPECT_PRINTS(r, "totals: files=0 dirs=0 lines=0 words=0 bytes=0 skipped=0 errors=1");
}

TEST(SamplesFs, FileStatsBadCommandLineExitsTwo) {
    EXPECT_EQ(run_sample("file_stats").status, 2);
    EXPECT_EQ(run_sample("file_stats", "/tmp --concurrency 0").status, 2);
    CommandRun r = run_sample("file_stats", "/tmp --frobnicate");
    EXPECT_EQ(r.status, 2);
    EXPECT_PRINTS(r, "usage: file_stats DIR");
}

TEST(SamplesFs, CopyFileCopiesMegabytesByteForByte) {
    TempDir dir;
    std::string data(6 * 1024 * 1024 + 123, '\0');  // not a multiple of the buffer
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    for (char& ch : data) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        ch = static_cast<char>(x);
    }
    spit(dir.path() / "src.bin", data);
    for (const char* buf : {"64K", "1M"}) {
        CommandRun r = run_sample("copy_file", dir.str() + "/src.bin " + dir.str() + "/dst.bin --buf-size " + buf);
        ASSERT_EQ(r.status, 0) << r.output;
        EXPECT_PRINTS(r, "copied 6291579 bytes from " + dir.str() + "/src.bin to " + dir.str() + "/dst.bin in ");
        EXPECT_PRINTS(r, " MB/s");
        EXPECT_PRINTS(r, "copy_file: 100% (6291579 of 6291579 bytes)");
        EXPECT_TRUE(slurp(dir.path() / "dst.bin") == data) << "the copy differs from the source";
    }
}

TEST(SamplesFs, CopyFileCopiesAnEmptyFile) {
    TempDir dir;
    spit(dir.path() / "empty", "");
    spit(dir.path() / "dst", "old contents are truncated");
    CommandRun r = run_sample("copy_file", dir.str() + "/empty " + dir.str() + "/dst");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_PRINTS(r, "copied 0 bytes");
    EXPECT_EQ(slurp(dir.path() / "dst"), "");
}

TEST(SamplesFs, CopyFileMissingSourceFailsWithItsPath) {
    TempDir dir;
    CommandRun r = run_sample("copy_file", dir.str() + "/missing " + dir.str() + "/dst");
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_PRINTS(r, "copy_file: open " + dir.str() + "/missing: No such file or directory");
    EXPECT_FALSE(stdfs::exists(dir.path() / "dst")) << "nothing is created when the source is missing";
}

TEST(SamplesFs, CopyFileUnwritableDestinationFailsWithItsPath) {
    TempDir dir;
    spit(dir.path() / "src", "some bytes\n");
    std::string dst = dir.str() + "/no/such/dir/dst";
    CommandRun r = run_sample("copy_file", dir.str() + "/src " + dst);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_PRINTS(r, "copy_file: create " + dst + ": No such file or directory");

    // A directory is not a writable file either.
    CommandRun onto_dir = run_sample("copy_file", dir.str() + "/src " + dir.str());
    EXPECT_EQ(onto_dir.status, 1) << onto_dir.output;
    EXPECT_PRINTS(onto_dir, "copy_file: create " + dir.str() + ": Is a directory");
}

TEST(SamplesFs, CopyFileBadCommandLineExitsTwo) {
    EXPECT_EQ(run_sample("copy_file", "only-one-arg").status, 2);
    CommandRun r = run_sample("copy_file", "a b --buf-size 0");
    EXPECT_EQ(r.status, 2);
    EXPECT_PRINTS(r, "usage: copy_file SRC DST");
}
