// The free functions of pollen::fs: each one's effect, its error naming the
// path(s), a 100 MiB copy, and futures destroyed mid-way.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"
#include "support/sanitizer.hpp"

using namespace pollen;
namespace stdfs = std::filesystem;

namespace {

Runtime make_runtime() { return Builder::new_multi_thread().worker_threads(2).enable_all().build(); }

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/pollen-fs-ops-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        stdfs::remove_all(path_, ec);
    }
    const stdfs::path& path() const { return path_; }
    stdfs::path operator/(const char* name) const { return path_ / name; }

private:
    stdfs::path path_;
};

std::string slurp(const stdfs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
void spit(const stdfs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

std::uint64_t fnv1a(std::uint64_t h, std::span<const std::byte> bytes) {
    for (std::byte b : bytes) h = (h ^ static_cast<std::uint64_t>(b)) * 1099511628211ull;
    return h;
}
constexpr std::uint64_t kFnvInit = 14695981039346656037ull;

}  // namespace

TEST(FsOps, WriteThenReadAndReadToStringRoundTrip) {
    TempDir dir;
    Runtime rt = make_runtime();
    ASSERT_TRUE(rt.block_on(fs::write(dir / "t", "some text")).is_ok());
    auto s = rt.block_on(fs::read_to_string(dir / "t"));
    ASSERT_TRUE(s.is_ok());
    EXPECT_EQ(*s, "some text");
    std::vector<std::byte> bin{std::byte{0}, std::byte{1}, std::byte{255}};
    ASSERT_TRUE(rt.block_on(fs::write(dir / "b", bin)).is_ok());
    auto b = rt.block_on(fs::read(dir / "b"));
    ASSERT_TRUE(b.is_ok());
    EXPECT_EQ(*b, bin);
    // write truncates what was there.
    ASSERT_TRUE(rt.block_on(fs::write(dir / "t", std::string_view("x"))).is_ok());
    EXPECT_EQ(slurp(dir / "t"), "x");
}

TEST(FsOps, ReadOfAnEmptyFileIsEmpty) {
    TempDir dir;
    spit(dir / "e", "");
    Runtime rt = make_runtime();
    auto b = rt.block_on(fs::read(dir / "e"));
    ASSERT_TRUE(b.is_ok());
    EXPECT_TRUE(b->empty());
}

TEST(FsOps, ReadOfAMissingFileNamesThePath) {
    TempDir dir;
    Runtime rt = make_runtime();
    auto r = rt.block_on(fs::read(dir / "nope"));
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), std::errc::no_such_file_or_directory);
    EXPECT_EQ(r.error().message(), "read " + (dir / "nope").string() + ": No such file or directory");
    auto w = rt.block_on(fs::write(dir / "no-dir" / "f", "x"));
    ASSERT_TRUE(w.is_err());
    EXPECT_EQ(w.error().path(), dir / "no-dir" / "f");
    // io::Result code can take the error as is.
    io::Result<void> as_io = fs::into_io(std::move(w));
    EXPECT_EQ(as_io.error(), std::errc::no_such_file_or_directory);
}

TEST(FsOps, CopyCopiesContentsAndPermissionsAndCountsBytes) {
    TempDir dir;
    spit(dir / "src", "copy me");
    ::chmod((dir / "src").c_str(), 0640);
    Runtime rt = make_runtime();
    auto n = rt.block_on(fs::copy(dir / "src", dir / "dst"));
    ASSERT_TRUE(n.is_ok()) << n.error().message();
    EXPECT_EQ(*n, 7u);
    EXPECT_EQ(slurp(dir / "dst"), "copy me");
    EXPECT_EQ(rt.block_on(fs::metadata(dir / "dst"))->permissions().mode(), 0640u);
    // Onto an existing, longer file: truncated.
    spit(dir / "long", "a much longer existing file");
    ASSERT_TRUE(rt.block_on(fs::copy(dir / "src", dir / "long")).is_ok());
    EXPECT_EQ(slurp(dir / "long"), "copy me");
}

TEST(FsOps, CopyErrorsNameBothPaths) {
    TempDir dir;
    Runtime rt = make_runtime();
    auto r = rt.block_on(fs::copy(dir / "a", dir / "b"));
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error().message(),
              "copy " + (dir / "a").string() + " -> " + (dir / "b").string() + ": No such file or directory");
    auto d = rt.block_on(fs::copy(dir.path(), dir / "b"));
    ASSERT_TRUE(d.is_err());
    EXPECT_EQ(d.error(), std::errc::is_a_directory);
}

TEST(FsOps, CopyOfAHundredMebibyteFileKeepsEveryByte) {
    const std::size_t kSize = pollen::test::stress_scaled<std::size_t>(100u << 20);
    TempDir dir;
    std::uint64_t want = kFnvInit;
    {
        std::ofstream out(dir / "big", std::ios::binary);
        std::vector<char> chunk(1u << 20);
        for (std::size_t i = 0; i < kSize / chunk.size(); ++i) {
            for (std::size_t j = 0; j < chunk.size(); ++j) chunk[j] = static_cast<char>((i * 31 + j * 7) ^ (j >> 9));
            want = fnv1a(want, std::as_bytes(std::span(chunk)));
            out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        }
    }
    Runtime rt = make_runtime();
    auto n = rt.block_on(fs::copy(dir / "big", dir / "big2"));
    ASSERT_TRUE(n.is_ok()) << n.error().message();
    EXPECT_EQ(*n, kSize);
    auto back = rt.block_on(fs::read(dir / "big2"));
    ASSERT_TRUE(back.is_ok());
    ASSERT_EQ(back->size(), kSize);
    EXPECT_EQ(fnv1a(kFnvInit, *back), want);
}

TEST(FsOps, RenameMovesAndReplaces) {
    TempDir dir;
    spit(dir / "a", "A");
    spit(dir / "b", "B");
    Runtime rt = make_runtime();
    ASSERT_TRUE(rt.block_on(fs::rename(dir / "a", dir / "b")).is_ok());
    EXPECT_FALSE(stdfs::exists(dir / "a"));
    EXPECT_EQ(slurp(dir / "b"), "A");
    auto r = rt.block_on(fs::rename(dir / "a", dir / "c"));
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error().path(), dir / "a");
    EXPECT_EQ(r.error().path2(), dir / "c");
    EXPECT_EQ(r.error().message(),
              "rename " + (dir / "a").string() + " -> " + (dir / "c").string() + ": No such file or directory");
}

TEST(FsOps, RemoveFileRemovesFilesNotDirectories) {
    TempDir dir;
    spit(dir / "f", "");
    stdfs::create_directory(dir / "d");
    Runtime rt = make_runtime();
    ASSERT_TRUE(rt.block_on(fs::remove_file(dir / "f")).is_ok());
    EXPECT_FALSE(stdfs::exists(dir / "f"));
    auto again = rt.block_on(fs::remove_file(dir / "f"));
    ASSERT_TRUE(again.is_err());
    EXPECT_EQ(again.error().message(), "remove_file " + (dir / "f").string() + ": No such file or directory");
    EXPECT_TRUE(rt.block_on(fs::remove_file(dir / "d")).is_err());
}

TEST(FsOps, CreateAndRemoveDirectories) {
    TempDir dir;
    Runtime rt = make_runtime();
    ASSERT_TRUE(rt.block_on(fs::create_dir(dir / "one")).is_ok());
    EXPECT_TRUE(stdfs::is_directory(dir / "one"));
    auto exists = rt.block_on(fs::create_dir(dir / "one"));
    ASSERT_TRUE(exists.is_err());
    EXPECT_EQ(exists.error(), std::errc::file_exists);
    EXPECT_EQ(rt.block_on(fs::create_dir(dir / "x" / "y")).error(), std::errc::no_such_file_or_directory);

    ASSERT_TRUE(rt.block_on(fs::create_dir_all(dir / "a" / "b" / "c")).is_ok());
    EXPECT_TRUE(stdfs::is_directory(dir / "a" / "b" / "c"));
    EXPECT_TRUE(rt.block_on(fs::create_dir_all(dir / "a" / "b")).is_ok());  // already there: fine
    spit(dir / "file", "");
    EXPECT_TRUE(rt.block_on(fs::create_dir_all(dir / "file")).is_err());

    spit(dir / "a" / "b" / "c" / "leaf", "x");
    auto not_empty = rt.block_on(fs::remove_dir(dir / "a"));
    ASSERT_TRUE(not_empty.is_err());
    EXPECT_EQ(not_empty.error(), std::errc::directory_not_empty);
    EXPECT_EQ(not_empty.error().path(), dir / "a");
    ASSERT_TRUE(rt.block_on(fs::remove_dir(dir / "one")).is_ok());
    EXPECT_FALSE(stdfs::exists(dir / "one"));

    ASSERT_TRUE(rt.block_on(fs::remove_dir_all(dir / "a")).is_ok());
    EXPECT_FALSE(stdfs::exists(dir / "a"));
    auto gone = rt.block_on(fs::remove_dir_all(dir / "a"));
    ASSERT_TRUE(gone.is_err());
    EXPECT_EQ(gone.error(), std::errc::no_such_file_or_directory);
    EXPECT_EQ(rt.block_on(fs::remove_dir_all(dir / "file")).error(), std::errc::not_a_directory);
}

TEST(FsOps, RemoveDirAllDoesNotFollowSymlinks) {
    TempDir dir;
    stdfs::create_directory(dir / "keep");
    spit(dir / "keep" / "precious", "p");
    stdfs::create_directory(dir / "tree");
    stdfs::create_directory_symlink(dir / "keep", dir / "tree" / "link");
    Runtime rt = make_runtime();
    ASSERT_TRUE(rt.block_on(fs::remove_dir_all(dir / "tree")).is_ok());
    EXPECT_EQ(slurp(dir / "keep" / "precious"), "p");
}

TEST(FsOps, MetadataReportsKindSizeModeAndModifiedTime) {
    TempDir dir;
    spit(dir / "f", "12345");
    ::chmod((dir / "f").c_str(), 0604);
    timespec times[2] = {{1'000'000'000, 0}, {1'234'567'890, 500}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (dir / "f").c_str(), times, 0), 0);
    stdfs::create_directory_symlink(dir.path(), dir / "link");
    Runtime rt = make_runtime();

    auto md = rt.block_on(fs::metadata(dir / "f"));
    ASSERT_TRUE(md.is_ok());
    EXPECT_TRUE(md->is_file());
    EXPECT_FALSE(md->is_dir());
    EXPECT_FALSE(md->is_symlink());
    EXPECT_EQ(md->len(), 5u);
    EXPECT_EQ(md->permissions().mode(), 0604u);
    EXPECT_FALSE(md->permissions().readonly());
    auto since_epoch = md->modified().time_since_epoch();
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count(), 1'234'567'890'000'000'500);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(md->accessed().time_since_epoch()).count(),
              1'000'000'000);

    auto through = rt.block_on(fs::metadata(dir / "link"));
    ASSERT_TRUE(through.is_ok());
    EXPECT_TRUE(through->is_dir());
    auto own = rt.block_on(fs::symlink_metadata(dir / "link"));
    ASSERT_TRUE(own.is_ok());
    EXPECT_TRUE(own->is_symlink());
    EXPECT_TRUE(own->file_type().is_symlink());

    auto missing = rt.block_on(fs::metadata(dir / "zzz"));
    ASSERT_TRUE(missing.is_err());
    EXPECT_EQ(missing.error().message(), "metadata " + (dir / "zzz").string() + ": No such file or directory");
}

TEST(FsOps, CanonicalizeResolvesSymlinksAndDots) {
    TempDir dir;
    stdfs::create_directories(dir / "real" / "sub");
    stdfs::create_directory_symlink(dir / "real", dir / "alias");
    Runtime rt = make_runtime();
    auto c = rt.block_on(fs::canonicalize(dir / "alias" / "sub" / ".." / "sub"));
    ASSERT_TRUE(c.is_ok());
    EXPECT_EQ(*c, stdfs::canonical(dir / "real" / "sub"));
    auto missing = rt.block_on(fs::canonicalize(dir / "none"));
    ASSERT_TRUE(missing.is_err());
    EXPECT_EQ(missing.error().path(), dir / "none");
}

TEST(FsOps, HardLinkSymlinkAndReadLink) {
    TempDir dir;
    spit(dir / "orig", "shared");
    Runtime rt = make_runtime();
    ASSERT_TRUE(rt.block_on(fs::hard_link(dir / "orig", dir / "twin")).is_ok());
    auto a = rt.block_on(fs::metadata(dir / "orig"));
    auto b = rt.block_on(fs::metadata(dir / "twin"));
    EXPECT_EQ(a->as_stat().st_ino, b->as_stat().st_ino);
    EXPECT_EQ(a->as_stat().st_nlink, 2u);
    auto dup = rt.block_on(fs::hard_link(dir / "orig", dir / "twin"));
    ASSERT_TRUE(dup.is_err());
    EXPECT_EQ(dup.error(), std::errc::file_exists);
    EXPECT_EQ(dup.error().path2(), dir / "twin");

    ASSERT_TRUE(rt.block_on(fs::symlink("orig", dir / "sym")).is_ok());
    auto target = rt.block_on(fs::read_link(dir / "sym"));
    ASSERT_TRUE(target.is_ok());
    EXPECT_EQ(*target, stdfs::path("orig"));
    EXPECT_EQ(*rt.block_on(fs::read_to_string(dir / "sym")), "shared");
}

TEST(FsOps, SetPermissionsAndTryExists) {
    TempDir dir;
    spit(dir / "f", "");
    Runtime rt = make_runtime();
    ASSERT_TRUE(rt.block_on(fs::set_permissions(dir / "f", fs::Permissions(0444))).is_ok());
    auto md = rt.block_on(fs::metadata(dir / "f"));
    EXPECT_TRUE(md->permissions().readonly());
    EXPECT_EQ(*rt.block_on(fs::try_exists(dir / "f")), true);
    EXPECT_EQ(*rt.block_on(fs::try_exists(dir / "g")), false);
}

TEST(FsOps, FuturesRunInsideSpawnedTasksOnWorkers) {
    TempDir dir;
    Runtime rt = make_runtime();
    stdfs::path p = dir / "spawned";
    auto out = rt.block_on(rt.spawn(fs::write(p, "from a task").then([p](fs::Result<void> w) {
        EXPECT_TRUE(w.is_ok());
        return fs::read_to_string(p);
    })));
    ASSERT_TRUE(out.is_ok());
    ASSERT_TRUE(out->is_ok());
    EXPECT_EQ(**out, "from a task");
}

TEST(FsOps, FutureDroppedBeforeItsFirstPollDoesNothing) {
    TempDir dir;
    Runtime rt = make_runtime();
    { auto never = fs::write(dir / "never", "x"); }
    { auto never = fs::create_dir(dir / "never-dir"); }
    EXPECT_FALSE(stdfs::exists(dir / "never"));
    EXPECT_FALSE(stdfs::exists(dir / "never-dir"));
}

TEST(FsOps, FutureDroppedMidWayFinishesOnThePoolAndShutsDownCleanly) {
    TempDir dir;
    test::CountingWaker cw;
    {
        Runtime rt = make_runtime();
        rt.block_on(lazy([&] {
            auto w = fs::write(dir / "detached", "still written");
            (void)test::poll_once(w, cw);
            // Shutdown cancels blocking tasks still queued and waits for running
            // ones: wait until a pool thread took the write, or the test would
            // race the thread's start (it failed 1 run in 5 on a loaded machine).
            while (rt.metrics().blocking_queue_depth > 0) std::this_thread::yield();
            auto r = fs::read(dir / "detached");
            (void)test::poll_once(r, cw);
        }));
    }  // shutdown waits for the blocking pool
    EXPECT_EQ(slurp(dir / "detached"), "still written");
    EXPECT_TRUE(cw.balanced());
}
