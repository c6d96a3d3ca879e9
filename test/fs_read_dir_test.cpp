// fs::read_dir: a Stream of entries read in batches on the blocking pool,
// over 1,000 entries, with file types, metadata, errors naming the path and
// a ReadDir destroyed mid-way.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <pollen.hpp>

#include "support/counting_waker.hpp"

using namespace pollen;
namespace stdfs = std::filesystem;

namespace {

Runtime make_runtime() { return Builder::new_multi_thread().worker_threads(2).enable_all().build(); }

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/pollen-fs-dir-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        stdfs::remove_all(path_, ec);
    }
    const stdfs::path& path() const { return path_; }
    stdfs::path operator/(const std::string& name) const { return path_ / name; }

private:
    stdfs::path path_;
};

}  // namespace

TEST(FsReadDir, StreamsEveryOneOfAThousandEntriesOnce) {
    TempDir dir;
    std::set<std::string> want;
    for (int i = 0; i < 1000; ++i) {
        std::string name = "entry-" + std::to_string(i);
        if (i % 10 == 0) stdfs::create_directory(dir / name);
        else std::ofstream(dir / name) << i;
        want.insert(name);
    }
    Runtime rt = make_runtime();
    auto rd = rt.block_on(fs::read_dir(dir.path()));
    ASSERT_TRUE(rd.is_ok()) << rd.error().message();
    std::set<std::string> seen;
    std::size_t dirs = 0, items = 0;
    for (;;) {
        auto item = rt.block_on(rd->next());
        if (!item) break;
        ++items;
        ASSERT_TRUE(item->is_ok()) << item->error().message();
        const fs::DirEntry& e = **item;
        EXPECT_EQ(e.path(), dir.path() / e.file_name());
        seen.insert(e.file_name().string());
        if (e.file_type().is_dir()) ++dirs;
        else EXPECT_TRUE(e.file_type().is_file());
    }
    EXPECT_EQ(items, 1000u);  // no "." or "..", no duplicates
    EXPECT_EQ(seen, want);
    EXPECT_EQ(dirs, 100u);
}

TEST(FsReadDir, CollectsInsideASpawnedTask) {
    TempDir dir;
    for (int i = 0; i < 100; ++i) std::ofstream(dir / ("f" + std::to_string(i))) << "x";
    Runtime rt = make_runtime();
    auto joined = rt.block_on(rt.spawn(fs::read_dir(dir.path()).then([](fs::Result<fs::ReadDir> rd) {
        EXPECT_TRUE(rd.is_ok());
        return std::move(*rd).collect();
    })));
    ASSERT_TRUE(joined.is_ok());
    std::vector<fs::Result<fs::DirEntry>>& entries = *joined;
    EXPECT_EQ(entries.size(), 100u);
    for (auto& e : entries) EXPECT_TRUE(e.is_ok());
}

TEST(FsReadDir, EmptyDirectoryEndsAtOnce) {
    TempDir dir;
    Runtime rt = make_runtime();
    auto rd = rt.block_on(fs::read_dir(dir.path()));
    ASSERT_TRUE(rd.is_ok());
    EXPECT_FALSE(rt.block_on(rd->next()).has_value());
}

TEST(FsReadDir, EntryFileTypeAndMetadataDoNotFollowSymlinks) {
    TempDir dir;
    std::ofstream(dir / "target") << "12345";
    stdfs::create_symlink(dir / "target", dir / "link");
    Runtime rt = make_runtime();
    auto rd = rt.block_on(fs::read_dir(dir.path()));
    ASSERT_TRUE(rd.is_ok());
    int checked = 0;
    while (auto item = rt.block_on(rd->next())) {
        ASSERT_TRUE(item->is_ok());
        fs::DirEntry e = **item;
        auto md = rt.block_on(e.metadata());
        ASSERT_TRUE(md.is_ok());
        if (e.file_name() == "link") {
            EXPECT_TRUE(e.file_type().is_symlink());
            EXPECT_TRUE(md->is_symlink());
        } else {
            EXPECT_TRUE(e.file_type().is_file());
            EXPECT_EQ(md->len(), 5u);
        }
        ++checked;
    }
    EXPECT_EQ(checked, 2);
}

TEST(FsReadDir, MissingDirectoryErrorNamesThePath) {
    TempDir dir;
    Runtime rt = make_runtime();
    auto rd = rt.block_on(fs::read_dir(dir / "absent"));
    ASSERT_TRUE(rd.is_err());
    EXPECT_EQ(rd.error(), std::errc::no_such_file_or_directory);
    EXPECT_EQ(rd.error().message(), "read_dir " + (dir / "absent").string() + ": No such file or directory");
    std::ofstream(dir / "file") << "x";
    auto notdir = rt.block_on(fs::read_dir(dir / "file"));
    ASSERT_TRUE(notdir.is_err());
    EXPECT_EQ(notdir.error(), std::errc::not_a_directory);
}

TEST(FsReadDir, DestroyedWithABatchInFlightShutsDownCleanly) {
    TempDir dir;
    for (int i = 0; i < 200; ++i) std::ofstream(dir / ("f" + std::to_string(i))) << "x";
    test::CountingWaker cw;
    {
        Runtime rt = make_runtime();
        auto rd = rt.block_on(fs::read_dir(dir.path()));
        ASSERT_TRUE(rd.is_ok());
        fs::ReadDir stream = std::move(*rd);
        rt.block_on(lazy([&] {
            auto n = stream.next();
            (void)test::poll_once(n, cw);  // starts the first batch
        }));
        fs::ReadDir moved = std::move(stream);  // movable even with a batch in flight
    }
    EXPECT_TRUE(cw.balanced());
}
