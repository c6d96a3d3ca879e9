// Cancellation at every point, fs: open, read, write, File reads and
// read_dir's stream, inside a current-thread runtime. Their work runs on the
// blocking pool, which cannot be interrupted: a future destroyed mid-way
// lets the operation finish there, and must not keep the waker it handed to
// it (the pool thread wakes and drops its clone, hence `settle`).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>

#include <pollen.hpp>
#include <pollen/core/testing/cancel_at_every_point.hpp>

#include "support/enter_runtime.hpp"

using namespace pollen;
using pollen::testing::cancel_at_every_point;
using pollen::testing::cancel_stream_at_every_point;
namespace stdfs = std::filesystem;

namespace {

Runtime current_thread() { return Builder::new_current_thread().enable_all().build(); }

/// A fresh directory under the system temp dir, removed with its contents.
struct TempDir {
    stdfs::path path;
    TempDir() {
        path = stdfs::temp_directory_path() / ("pollen-cancel-fs-" + std::to_string(::getpid()));
        stdfs::remove_all(path);
        stdfs::create_directories(path);
    }
    ~TempDir() { stdfs::remove_all(path); }
    stdfs::path file(const std::string& name, const std::string& content) const {
        std::ofstream(path / name) << content;
        return path / name;
    }
};

/// Waits for the blocking pool to wake the instance.
void wait_for_pool(const pollen::testing::Step& s) {
    if (s.last_poll_pending()) {
        EXPECT_TRUE(s.wait_for_wake()) << "never woken";
    }
}

constexpr auto kSettle = std::chrono::seconds(10);

}  // namespace

TEST(CancelEveryPointFs, Open) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    TempDir dir;
    auto path = dir.file("a.txt", "abc");
    auto r = cancel_at_every_point([&] { return fs::File::open(path); })
                 .step(wait_for_pool)
                 .on_output([](auto& f) { return f.is_ok(); })
                 .settle(kSettle)
                 .run();
    EXPECT_TRUE(r.ok()) << r;  // how many points depends on the pool thread's speed
}

TEST(CancelEveryPointFs, ReadAndReadToString) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    TempDir dir;
    auto path = dir.file("b.txt", "contents");
    auto r = cancel_at_every_point([&] { return fs::read_to_string(path); })
                 .step(wait_for_pool)
                 .on_output([](auto& s) { return s.is_ok() && *s == "contents"; })
                 .settle(kSettle)
                 .run();
    EXPECT_TRUE(r.ok()) << r;
    auto bytes = cancel_at_every_point([&] { return fs::read(path); })
                     .step(wait_for_pool)
                     .on_output([](auto& v) { return v.is_ok() && v->size() == 8; })
                     .settle(kSettle)
                     .run();
    EXPECT_TRUE(bytes.ok()) << bytes;
}

TEST(CancelEveryPointFs, WriteLeavesTheOldOrTheNewContent) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    TempDir dir;
    auto path = dir.path / "c.txt";
    auto r = cancel_at_every_point([&] { return fs::write(path, "new"); })
                 .setup([&] { dir.file("c.txt", ""); })
                 .step(wait_for_pool)
                 .on_output([](auto& res) { return res.is_ok(); })
                 .settle(kSettle)
                 .invariant("the file holds nothing, or all of the write, once it finished", [&] {
                     // A destroyed write may still be running on the pool: wait for it to land or not.
                     std::string content;
                     std::getline(std::ifstream(path), content);
                     return content.empty() || content == "new";
                 })
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointFs, FileReadKeepsTheFileUsable) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    TempDir dir;
    auto path = dir.file("d.txt", "0123456789");
    std::optional<fs::File> file;
    std::byte buf[4];
    auto r = cancel_at_every_point([&] { return io::read(*file, buf); })
                 .setup([&] { file.emplace(rt.block_on(fs::File::open(path)).unwrap()); })
                 .step(wait_for_pool)
                 .on_output([](io::Result<std::size_t>& n) { return n.is_ok() && *n == 4; })
                 .invariant("the file still reads", [&] {
                     std::vector<std::byte> rest;
                     return rt.block_on(io::read_to_end(*file, rest)).is_ok();
                 })
                 // The File holds its in-flight operation (and that operation the waker).
                 .teardown([&] { file.reset(); })
                 .wakers_released_by_teardown()
                 .settle(kSettle)
                 .run();
    EXPECT_TRUE(r.ok()) << r;
}

TEST(CancelEveryPointFs, ReadDirAndItsStream) {
    Runtime rt = current_thread();
    test::EnterRuntime enter(rt);
    TempDir dir;
    dir.file("x", "");
    dir.file("y", "");
    auto open = cancel_at_every_point([&] { return fs::read_dir(dir.path); })
                    .step(wait_for_pool)
                    .on_output([](auto& rd) { return rd.is_ok(); })
                    .settle(kSettle)
                    .run();
    EXPECT_TRUE(open.ok()) << open;
    std::set<std::string> names;
    auto entries = cancel_stream_at_every_point([&] { return rt.block_on(fs::read_dir(dir.path)).unwrap(); })
                       .setup([&] { names.clear(); })
                       .step(wait_for_pool)
                       .on_output([&](auto& entry) {
                           if (entry.is_ok()) names.insert(entry->file_name().string());
                           return entry.is_ok();
                       })
                       .settle(kSettle)
                       .run();
    EXPECT_TRUE(entries.ok()) << entries;
    EXPECT_EQ(names, (std::set<std::string>{"x", "y"}));
}
