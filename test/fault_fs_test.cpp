// fs under injected write faults (test/support/fault_plan.hpp): interrupted
// and short writes still write every byte; a full disk (ENOSPC) reaches the
// caller as a value: an fs::Error naming the operation and the path from the
// path-based calls, an io error from a File's write or flush (the File's
// stream operations carry a bare error code, see fs/error.hpp).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <pollen.hpp>

#include "support/fault_plan.hpp"

using namespace pollen;
namespace stdfs = std::filesystem;
using Call = test::FaultPlan::Call;

namespace {

Runtime make_runtime() { return Builder::new_multi_thread().worker_threads(2).enable_all().build(); }

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/pollen-fault-fs-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        stdfs::remove_all(path_, ec);
    }
    stdfs::path operator/(const char* name) const { return path_ / name; }

private:
    stdfs::path path_;
};

std::vector<std::byte> pattern(std::size_t n, std::uint64_t x) {
    std::vector<std::byte> out(n);
    for (auto& b : out) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        b = static_cast<std::byte>(x);
    }
    return out;
}

}  // namespace

TEST(FaultFs, WriteSurvivesInterruptedAndShortWrites) {
    TempDir dir;
    const auto data = pattern(1 << 20, 11);
    test::FaultPlan plan;
    plan.interrupt(Call::Write, 2).cap(Call::Write, 4000);
    {
        test::FaultPlan::Installed on(plan);
        Runtime rt = make_runtime();
        auto w = rt.block_on(fs::write(dir / "a", std::span<const std::byte>(data)));
        ASSERT_TRUE(w.is_ok()) << w.error().message();
    }
    EXPECT_GT(plan.injected(Call::Write), 2u * data.size() / 4000);
    Runtime rt = make_runtime();
    auto back = rt.block_on(fs::read(dir / "a"));
    ASSERT_TRUE(back.is_ok());
    EXPECT_EQ(*back, data);
}

TEST(FaultFs, FileWritesSurviveInterruptedAndShortWrites) {
    TempDir dir;
    const auto data = pattern(3 << 20, 12);
    test::FaultPlan plan;
    plan.interrupt(Call::Write, 1).cap(Call::Write, 10'000);
    {
        test::FaultPlan::Installed on(plan);
        Runtime rt = make_runtime();
        fs::File f = *rt.block_on(fs::File::create(dir / "b"));
        f.set_max_buf_size(64 * 1024);
        ASSERT_TRUE(rt.block_on(io::write_all(f, std::span<const std::byte>(data))).is_ok());
        ASSERT_TRUE(rt.block_on(io::flush(f)).is_ok());
    }
    Runtime rt = make_runtime();
    auto back = rt.block_on(fs::read(dir / "b"));
    ASSERT_TRUE(back.is_ok());
    EXPECT_EQ(*back, data);
}

TEST(FaultFs, FullDiskOnWriteIsAnFsErrorWithThePath) {
    TempDir dir;
    const stdfs::path path = dir / "full";
    test::FaultPlan plan;
    plan.fail_after(Call::Write, 4096, ENOSPC);
    test::FaultPlan::Installed on(plan);
    Runtime rt = make_runtime();
    auto w = rt.block_on(fs::write(path, std::string(100'000, 'x')));
    ASSERT_TRUE(w.is_err());
    EXPECT_EQ(w.error(), std::errc::no_space_on_device);
    EXPECT_EQ(w.error().path(), path);
    EXPECT_STREQ(w.error().op(), "write");
    EXPECT_NE(w.error().message().find(path.string()), std::string::npos);
    // What fit before the disk filled is there; nothing else was claimed.
    EXPECT_EQ(stdfs::file_size(path), 4096u);
}

TEST(FaultFs, FullDiskOnFileWriteReachesTheWriterOrTheFlush) {
    TempDir dir;
    test::FaultPlan plan;
    plan.fail_after(Call::Write, 100'000, ENOSPC);
    test::FaultPlan::Installed on(plan);
    Runtime rt = make_runtime();
    fs::File f = *rt.block_on(fs::File::create(dir / "c"));
    f.set_max_buf_size(16 * 1024);
    const auto data = pattern(1 << 20, 13);
    // poll_write hands each chunk to the blocking pool and reports it taken;
    // a failed chunk is reported by the next write or flush, so the error
    // surfaces in one of the two, never silently.
    auto w = rt.block_on(io::write_all(f, std::span<const std::byte>(data)));
    io::Error err;
    if (w.is_err()) {
        err = w.error();
    } else {
        auto fl = rt.block_on(io::flush(f));
        ASSERT_TRUE(fl.is_err());
        err = fl.error();
    }
    EXPECT_EQ(err, std::errc::no_space_on_device);
    EXPECT_GT(plan.injected(Call::Write), 0u);
}

TEST(FaultFs, FullDiskOnTheLastChunkReachesTheFlush) {
    TempDir dir;
    test::FaultPlan plan;
    test::FaultPlan::Installed on(plan);
    Runtime rt = make_runtime();
    fs::File f = *rt.block_on(fs::File::create(dir / "d"));
    // The only chunk is accepted at once; the disk fills while it is written.
    plan.fail_after(Call::Write, 10, ENOSPC);
    ASSERT_TRUE(rt.block_on(io::write_all(f, std::string_view("more than ten bytes"))).is_ok());
    auto fl = rt.block_on(io::flush(f));
    ASSERT_TRUE(fl.is_err());
    EXPECT_EQ(fl.error(), std::errc::no_space_on_device);
    // Reported once: the file is usable again afterwards.
    plan.fail_after(Call::Write, 0, 0);
    EXPECT_TRUE(rt.block_on(io::flush(f)).is_ok());
}
