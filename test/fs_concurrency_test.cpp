// pollen::fs under concurrency: many tasks writing and reading different
// files at once through File, several readers of one file, all on a
// multi-thread runtime; results checked by checksum, never by timing.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <pollen.hpp>

using namespace pollen;
namespace stdfs = std::filesystem;

namespace {

Runtime make_runtime() { return Builder::new_multi_thread().worker_threads(4).enable_all().build(); }

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/pollen-fs-conc-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        stdfs::remove_all(path_, ec);
    }
    stdfs::path operator/(const std::string& name) const { return path_ / name; }

private:
    stdfs::path path_;
};

std::vector<std::byte> pattern(std::size_t n, std::uint64_t seed) {
    std::vector<std::byte> out(n);
    std::uint64_t x = seed * 0x9e3779b97f4a7c15ull | 1;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = static_cast<std::byte>(x);
    }
    return out;
}

constexpr std::uint64_t kFnvInit = 14695981039346656037ull;
std::uint64_t fnv1a(std::uint64_t h, std::span<const std::byte> bytes) {
    for (std::byte b : bytes) h = (h ^ static_cast<std::uint64_t>(b)) * 1099511628211ull;
    return h;
}

/// create → write `data` in `chunk`-sized writes → flush: what `async fn`
/// would be, written as a state machine.
class WriteFile : public FutureExt<WriteFile> {
public:
    using Output = io::Result<void>;
    WriteFile(stdfs::path p, std::vector<std::byte> data, std::size_t chunk)
        : open_(fs::File::create(std::move(p))), data_(std::move(data)), chunk_(chunk) {}

    Poll<Output> poll(Context& cx) {
        if (!file_) {
            auto p = open_.poll(cx);
            if (p.is_pending()) return pending;
            auto f = p.take();
            if (f.is_err()) return ready(Output(Err(std::error_code(f.error()))));
            file_.emplace(std::move(f).value());
        }
        while (off_ < data_.size()) {
            std::size_t n = std::min(chunk_, data_.size() - off_);
            auto w = file_->poll_write(cx, std::span<const std::byte>(data_).subspan(off_, n));
            if (w.is_pending()) return pending;
            auto r = w.take();
            if (r.is_err()) return ready(Output(Err(r.error())));
            off_ += *r;
        }
        return file_->poll_flush(cx);
    }

private:
    fs::FsFuture<fs::File> open_;
    std::optional<fs::File> file_;
    std::vector<std::byte> data_;
    std::size_t chunk_;
    std::size_t off_ = 0;
};

/// open → read to the end in `chunk`-sized reads → Ready(checksum, length).
class ChecksumFile : public FutureExt<ChecksumFile> {
public:
    using Output = io::Result<std::pair<std::uint64_t, std::size_t>>;
    ChecksumFile(stdfs::path p, std::size_t chunk) : open_(fs::File::open(std::move(p))), buf_(chunk) {}

    Poll<Output> poll(Context& cx) {
        if (!file_) {
            auto p = open_.poll(cx);
            if (p.is_pending()) return pending;
            auto f = p.take();
            if (f.is_err()) return ready(Output(Err(std::error_code(f.error()))));
            file_.emplace(std::move(f).value());
        }
        for (;;) {
            auto rd = file_->poll_read(cx, buf_);
            if (rd.is_pending()) return pending;
            auto r = rd.take();
            if (r.is_err()) return ready(Output(Err(r.error())));
            if (*r == 0) return ready(Output(Ok(std::pair{sum_, len_})));
            sum_ = fnv1a(sum_, std::span<const std::byte>(buf_.data(), *r));
            len_ += *r;
        }
    }

private:
    fs::FsFuture<fs::File> open_;
    std::optional<fs::File> file_;
    std::vector<std::byte> buf_;
    std::uint64_t sum_ = kFnvInit;
    std::size_t len_ = 0;
};

}  // namespace

TEST(FsConcurrency, ManyTasksWriteThenReadBackDifferentFiles) {
    constexpr int kTasks = 12;
    constexpr std::size_t kSize = 3 << 20;
    TempDir dir;
    Runtime rt = make_runtime();
    std::vector<std::uint64_t> want;
    std::vector<JoinHandle<ChecksumFile::Output>> handles;
    for (int i = 0; i < kTasks; ++i) {
        auto data = pattern(kSize + static_cast<std::size_t>(i), static_cast<std::uint64_t>(i + 1));
        want.push_back(fnv1a(kFnvInit, data));
        stdfs::path p = dir / ("f" + std::to_string(i));
        // Odd chunk sizes per task: writes and reads never line up.
        handles.push_back(rt.spawn(WriteFile(p, std::move(data), 65536 + 977 * static_cast<std::size_t>(i))
                                       .then([p, i](io::Result<void> w) {
                                           EXPECT_TRUE(w.is_ok()) << w.error().message();
                                           return ChecksumFile(p, 100000 + 13 * static_cast<std::size_t>(i));
                                       })));
    }
    for (int i = 0; i < kTasks; ++i) {
        auto joined = rt.block_on(std::move(handles[static_cast<std::size_t>(i)]));
        ASSERT_TRUE(joined.is_ok());
        ASSERT_TRUE(joined->is_ok()) << joined->error().message();
        EXPECT_EQ((*joined)->second, kSize + static_cast<std::size_t>(i));
        EXPECT_EQ((*joined)->first, want[static_cast<std::size_t>(i)]) << "file " << i;
    }
}

TEST(FsConcurrency, SeveralReadersOfOneFileEachSeeAllOfIt) {
    constexpr int kReaders = 8;
    constexpr std::size_t kSize = 8 << 20;
    TempDir dir;
    Runtime rt = make_runtime();
    auto data = pattern(kSize, 99);
    std::uint64_t want = fnv1a(kFnvInit, data);
    ASSERT_TRUE(rt.block_on(fs::write(dir / "shared", std::move(data))).is_ok());
    std::vector<JoinHandle<ChecksumFile::Output>> handles;
    for (int i = 0; i < kReaders; ++i)
        handles.push_back(rt.spawn(ChecksumFile(dir / "shared", 4096 * static_cast<std::size_t>(i + 1) + 1)));
    for (auto& h : handles) {
        auto joined = rt.block_on(std::move(h));
        ASSERT_TRUE(joined.is_ok());
        ASSERT_TRUE(joined->is_ok());
        EXPECT_EQ((*joined)->first, want);
        EXPECT_EQ((*joined)->second, kSize);
    }
}

TEST(FsConcurrency, ReadersAndWritersOfDifferentFilesAtOnce) {
    constexpr int kPairs = 6;
    constexpr std::size_t kSize = 2 << 20;
    TempDir dir;
    Runtime rt = make_runtime();
    std::vector<std::uint64_t> want;
    for (int i = 0; i < kPairs; ++i) {
        auto data = pattern(kSize, static_cast<std::uint64_t>(1000 + i));
        want.push_back(fnv1a(kFnvInit, data));
        ASSERT_TRUE(rt.block_on(fs::write(dir / ("in" + std::to_string(i)), std::move(data))).is_ok());
    }
    std::vector<JoinHandle<ChecksumFile::Output>> readers;
    std::vector<JoinHandle<io::Result<void>>> writers;
    for (int i = 0; i < kPairs; ++i) {
        readers.push_back(rt.spawn(ChecksumFile(dir / ("in" + std::to_string(i)), 50000)));
        writers.push_back(rt.spawn(WriteFile(dir / ("out" + std::to_string(i)),
                                             pattern(kSize, static_cast<std::uint64_t>(2000 + i)), 30000)));
    }
    for (int i = 0; i < kPairs; ++i) {
        auto r = rt.block_on(std::move(readers[static_cast<std::size_t>(i)]));
        ASSERT_TRUE(r.is_ok() && r->is_ok());
        EXPECT_EQ((*r)->first, want[static_cast<std::size_t>(i)]);
        auto w = rt.block_on(std::move(writers[static_cast<std::size_t>(i)]));
        ASSERT_TRUE(w.is_ok() && w->is_ok());
    }
    for (int i = 0; i < kPairs; ++i) {
        auto back = rt.block_on(fs::read(dir / ("out" + std::to_string(i))));
        ASSERT_TRUE(back.is_ok());
        EXPECT_EQ(fnv1a(kFnvInit, *back), fnv1a(kFnvInit, pattern(kSize, static_cast<std::uint64_t>(2000 + i))));
    }
}

TEST(FsConcurrency, TasksAbortedMidWayLeaveTheRuntimeToShutDownCleanly) {
    TempDir dir;
    auto data = pattern(4 << 20, 5);
    {
        Runtime rt = make_runtime();
        ASSERT_TRUE(rt.block_on(fs::write(dir / "src", data)).is_ok());
        std::vector<JoinHandle<ChecksumFile::Output>> readers;
        std::vector<JoinHandle<io::Result<void>>> writers;
        for (int i = 0; i < 8; ++i) {
            readers.push_back(rt.spawn(ChecksumFile(dir / "src", 8192)));
            writers.push_back(rt.spawn(WriteFile(dir / ("w" + std::to_string(i)), data, 8192)));
        }
        for (auto& h : readers) h.abort();
        for (auto& h : writers) h.abort();
        for (auto& h : readers) (void)rt.block_on(std::move(h));
        for (auto& h : writers) (void)rt.block_on(std::move(h));
    }
    // Whatever each aborted writer had accepted reached its file in order: a prefix.
    for (int i = 0; i < 8; ++i) {
        stdfs::path p = dir / ("w" + std::to_string(i));
        if (!stdfs::exists(p)) continue;
        std::ifstream in(p, std::ios::binary);
        std::vector<char> got((std::istreambuf_iterator<char>(in)), {});
        ASSERT_LE(got.size(), data.size());
        EXPECT_TRUE(std::equal(got.begin(), got.end(), reinterpret_cast<const char*>(data.data()))) << p;
    }
}
