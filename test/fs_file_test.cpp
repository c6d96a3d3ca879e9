// fs::File: opening rules, buffered reads and writes on the blocking pool,
// seek with read-ahead, set_len/sync/metadata, write errors surfacing on the
// next operation, a 100 MiB round trip, and Files or futures destroyed mid-way.
#include <gtest/gtest.h>
#include <stdlib.h>
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
        char tmpl[] = "/tmp/pollen-fs-file-XXXXXX";
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

std::vector<std::byte> pattern(std::size_t n, std::uint64_t seed) {
    std::vector<std::byte> out(n);
    std::uint64_t x = seed | 1;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = static_cast<std::byte>(x);
    }
    return out;
}

std::uint64_t fnv1a(std::uint64_t h, std::span<const std::byte> bytes) {
    for (std::byte b : bytes) h = (h ^ static_cast<std::uint64_t>(b)) * 1099511628211ull;
    return h;
}
constexpr std::uint64_t kFnvInit = 14695981039346656037ull;

std::string slurp(const stdfs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const stdfs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }


std::string read_all(Runtime& rt, fs::File& f) {
    std::string s;
    auto r = rt.block_on(io::read_to_string(f, s));
    EXPECT_TRUE(r.is_ok()) << r.error().message();
    return s;
}

fs::File open_with(Runtime& rt, const fs::OpenOptions& opts, const stdfs::path& p) {
    auto r = rt.block_on(opts.open(p));
    if (r.is_err()) throw std::runtime_error(r.error().message());
    return std::move(r).value();
}

}  // namespace

TEST(FsFile, CreateWriteFlushThenOpenReadsTheSameBytes) {
    TempDir dir;
    Runtime rt = make_runtime();
    {
        auto f = rt.block_on(fs::File::create(dir / "a.txt"));
        ASSERT_TRUE(f.is_ok()) << f.error().message();
        ASSERT_TRUE(rt.block_on(io::write_all(*f, std::string_view("hello, file"))).is_ok());
        ASSERT_TRUE(rt.block_on(io::flush(*f)).is_ok());
    }
    auto f = rt.block_on(fs::File::open(dir / "a.txt"));
    ASSERT_TRUE(f.is_ok());
    EXPECT_EQ(read_all(rt, *f), "hello, file");
}

TEST(FsFile, OpeningAMissingFileFailsWithAnErrorNamingThePath) {
    TempDir dir;
    Runtime rt = make_runtime();
    stdfs::path p = dir / "missing";
    auto f = rt.block_on(fs::File::open(p));
    ASSERT_TRUE(f.is_err());
    EXPECT_EQ(f.error(), std::errc::no_such_file_or_directory);
    EXPECT_EQ(f.error().path(), p);
    EXPECT_EQ(f.error().message(), "open " + p.string() + ": No such file or directory");
    std::error_code as_io = f.error();  // flows into io::Result code
    EXPECT_EQ(as_io, std::errc::no_such_file_or_directory);
}

TEST(FsFile, OpenOptionsFollowRustsRules) {
    using O = fs::OpenOptions;
    EXPECT_EQ(O().flags().error(), std::errc::invalid_argument);                          // no access mode
    EXPECT_EQ(O().read(true).create(true).flags().error(), std::errc::invalid_argument);  // create needs write
    EXPECT_EQ(O().append(true).truncate(true).flags().error(), std::errc::invalid_argument);
    EXPECT_TRUE(O().read(true).flags().is_ok());
    EXPECT_TRUE(O().append(true).create(true).flags().is_ok());
    EXPECT_TRUE(O().write(true).create_new(true).flags().is_ok());

    TempDir dir;
    Runtime rt = make_runtime();
    auto bad = rt.block_on(O().read(true).truncate(true).open(dir / "x"));
    ASSERT_TRUE(bad.is_err());
    EXPECT_EQ(bad.error(), std::errc::invalid_argument);
}

TEST(FsFile, CreateNewRefusesAnExistingFile) {
    TempDir dir;
    spit(dir / "here", "x");
    Runtime rt = make_runtime();
    auto f = rt.block_on(fs::File::create_new(dir / "here"));
    ASSERT_TRUE(f.is_err());
    EXPECT_EQ(f.error(), std::errc::file_exists);
    auto g = rt.block_on(fs::File::create_new(dir / "new"));
    EXPECT_TRUE(g.is_ok());
}

TEST(FsFile, AppendAddsToTheEndAndTruncateEmpties) {
    TempDir dir;
    Runtime rt = make_runtime();
    spit(dir / "log", "one\n");
    {
        fs::File f = open_with(rt, fs::File::options().append(true), dir / "log");
        ASSERT_TRUE(rt.block_on(io::write_all(f, std::string_view("two\n"))).is_ok());
        ASSERT_TRUE(rt.block_on(io::flush(f)).is_ok());
    }
    EXPECT_EQ(slurp(dir / "log"), "one\ntwo\n");
    {
        fs::File f = open_with(rt, fs::File::options().write(true).truncate(true), dir / "log");
        ASSERT_TRUE(rt.block_on(io::flush(f)).is_ok());
    }
    EXPECT_EQ(slurp(dir / "log"), "");
}

TEST(FsFile, ModeAppliesToACreatedFile) {
    TempDir dir;
    Runtime rt = make_runtime();
    mode_t old = ::umask(022);
    fs::File f = open_with(rt, fs::File::options().write(true).create(true).mode(0600), dir / "secret");
    ::umask(old);
    auto md = rt.block_on(f.metadata());
    ASSERT_TRUE(md.is_ok());
    EXPECT_EQ(md->permissions().mode(), 0600u);
    EXPECT_TRUE(md->is_file());
}

TEST(FsFile, WriteErrorSurfacesOnTheNextFlush) {
    TempDir dir;
    spit(dir / "ro", "data");
    Runtime rt = make_runtime();
    fs::File f = open_with(rt, fs::File::options().read(true), dir / "ro");
    // The write is accepted into the buffer; the failing write(2) runs later.
    auto w = rt.block_on(io::write(f, std::string_view("nope")));
    ASSERT_TRUE(w.is_ok());
    EXPECT_EQ(*w, 4u);
    auto fl = rt.block_on(io::flush(f));
    ASSERT_TRUE(fl.is_err());
    EXPECT_EQ(fl.error(), std::errc::bad_file_descriptor);
    // Reported once.
    EXPECT_TRUE(rt.block_on(io::flush(f)).is_ok());
}

TEST(FsFile, WriteErrorSurfacesOnTheNextWriteEvenAfterASeek) {
    TempDir dir;
    spit(dir / "ro", "data");
    Runtime rt = make_runtime();
    fs::File f = open_with(rt, fs::File::options().read(true), dir / "ro");
    ASSERT_TRUE(rt.block_on(io::write(f, std::string_view("nope"))).is_ok());
    auto pos = rt.block_on(f.seek(fs::SeekFrom::start(0)));  // waits for the write, keeps its error
    ASSERT_TRUE(pos.is_ok());
    auto w = rt.block_on(io::write(f, std::string_view("again")));
    ASSERT_TRUE(w.is_err());
    EXPECT_EQ(w.error(), std::errc::bad_file_descriptor);
}

TEST(FsFile, SeekAccountsForReadAhead) {
    TempDir dir;
    spit(dir / "digits", "0123456789");
    Runtime rt = make_runtime();
    fs::File f = open_with(rt, fs::File::options().read(true).write(true), dir / "digits");
    std::byte one[1];
    ASSERT_EQ(*rt.block_on(io::read(f, one)), 1u);  // the File read ahead the whole file
    EXPECT_EQ(static_cast<char>(one[0]), '0');
    auto cur = rt.block_on(f.seek(fs::SeekFrom::current(0)));
    ASSERT_TRUE(cur.is_ok());
    EXPECT_EQ(*cur, 1u);
    EXPECT_EQ(*rt.block_on(f.seek(fs::SeekFrom::end(-2))), 8u);
    EXPECT_EQ(read_all(rt, f), "89");
    EXPECT_EQ(*rt.block_on(f.seek(fs::SeekFrom::start(2))), 2u);
    std::byte three[3];
    ASSERT_TRUE(rt.block_on(io::read_exact(f, three)).is_ok());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(three), 3), "234");
    auto neg = rt.block_on(f.seek(fs::SeekFrom::current(-100)));
    ASSERT_TRUE(neg.is_err());
    EXPECT_EQ(neg.error(), std::errc::invalid_argument);
}

TEST(FsFile, WriteAfterAPartialReadLandsAtTheReadersPosition) {
    TempDir dir;
    spit(dir / "digits", "0123456789");
    Runtime rt = make_runtime();
    {
        fs::File f = open_with(rt, fs::File::options().read(true).write(true), dir / "digits");
        std::byte two[2];
        ASSERT_TRUE(rt.block_on(io::read_exact(f, two)).is_ok());
        ASSERT_TRUE(rt.block_on(io::write_all(f, std::string_view("XY"))).is_ok());
        ASSERT_TRUE(rt.block_on(io::flush(f)).is_ok());
        EXPECT_EQ(read_all(rt, f), "456789");
    }
    EXPECT_EQ(slurp(dir / "digits"), "01XY456789");
}

TEST(FsFile, SetLenTruncatesAndExtendsAndMetadataSeesBufferedWrites) {
    TempDir dir;
    Runtime rt = make_runtime();
    fs::File f = open_with(rt, fs::File::options().read(true).write(true).create(true), dir / "sized");
    ASSERT_TRUE(rt.block_on(io::write_all(f, std::string_view("abcdefgh"))).is_ok());
    auto md = rt.block_on(f.metadata());  // waits for the write in flight
    ASSERT_TRUE(md.is_ok());
    EXPECT_EQ(md->len(), 8u);
    ASSERT_TRUE(rt.block_on(f.set_len(3)).is_ok());
    EXPECT_EQ(rt.block_on(f.metadata())->len(), 3u);
    ASSERT_TRUE(rt.block_on(f.set_len(100)).is_ok());
    EXPECT_EQ(rt.block_on(f.metadata())->len(), 100u);
    EXPECT_TRUE(rt.block_on(f.sync_all()).is_ok());
    EXPECT_TRUE(rt.block_on(f.sync_data()).is_ok());
    std::string s = slurp(dir / "sized");
    ASSERT_EQ(s.size(), 100u);
    EXPECT_EQ(s.substr(0, 3), "abc");
    EXPECT_EQ(s[50], '\0');
}

TEST(FsFile, ReadsAreCappedByMaxBufSize) {
    TempDir dir;
    spit(dir / "f", std::string(100, 'z'));
    Runtime rt = make_runtime();
    fs::File f = open_with(rt, fs::File::options().read(true), dir / "f");
    f.set_max_buf_size(16);
    std::byte buf[64];
    EXPECT_EQ(*rt.block_on(io::read(f, buf)), 16u);
    EXPECT_EQ(read_all(rt, f).size(), 84u);
}

TEST(FsFile, HundredMebibyteRoundTripKeepsEveryByte) {
    const std::size_t kSize = pollen::test::stress_scaled<std::size_t>(100u << 20);
    TempDir dir;
    Runtime rt = make_runtime();
    std::vector<std::byte> data = pattern(1u << 20, 7);  // 1 MiB, repeated with a twist
    std::uint64_t want = kFnvInit;
    {
        fs::File f = *rt.block_on(fs::File::create(dir / "big"));
        for (std::size_t off = 0; off < kSize; off += data.size()) {
            data[off / data.size()] ^= std::byte{0x5a};  // each MiB differs
            want = fnv1a(want, data);
            auto w = rt.block_on(io::write_all(f, std::span<const std::byte>(data)));
            ASSERT_TRUE(w.is_ok()) << w.error().message();
        }
        ASSERT_TRUE(rt.block_on(io::flush(f)).is_ok());
        ASSERT_TRUE(rt.block_on(f.sync_data()).is_ok());
    }
    fs::File f = *rt.block_on(fs::File::open(dir / "big"));
    EXPECT_EQ(rt.block_on(f.metadata())->len(), kSize);
    std::vector<std::byte> buf(256 * 1024 + 13);  // odd size: reads do not line up with writes
    std::uint64_t got = kFnvInit;
    std::size_t total = 0;
    for (;;) {
        auto n = rt.block_on(io::read(f, std::span<std::byte>(buf)));
        ASSERT_TRUE(n.is_ok());
        if (*n == 0) break;
        got = fnv1a(got, std::span<const std::byte>(buf.data(), *n));
        total += *n;
    }
    EXPECT_EQ(total, kSize);
    EXPECT_EQ(got, want);
}

TEST(FsFile, ReadFutureDroppedWhileItsReadRunsLosesNoBytes) {
    TempDir dir;
    spit(dir / "f", "abcdef");
    Runtime rt = make_runtime();
    fs::File f = open_with(rt, fs::File::options().read(true), dir / "f");
    test::CountingWaker cw;
    std::byte buf[3];
    rt.block_on(lazy([&] {
        auto rd = io::read(f, buf);
        auto p = test::poll_once(rd, cw);
        (void)p;  // Pending (the read is on the pool) or already Ready: either way, drop it
    }));
    // The dropped read's result stays with the File; nothing is skipped or lost.
    std::string rest = read_all(rt, f);
    EXPECT_TRUE(rest == "abcdef" || rest == "def") << rest;
    EXPECT_TRUE(cw.balanced());
}

TEST(FsFile, SeekFutureDroppedMidWayIsCollectedByTheNextOperation) {
    TempDir dir;
    spit(dir / "f", "0123456789");
    Runtime rt = make_runtime();
    fs::File f = open_with(rt, fs::File::options().read(true), dir / "f");
    rt.block_on(lazy([&] {
        auto sk = f.seek(fs::SeekFrom::start(4));
        (void)test::poll_once(sk);
    }));
    // The seek ran (or runs) to completion; the read waits for it first.
    EXPECT_EQ(read_all(rt, f), "456789");
}

TEST(FsFile, DestroyingAFileWithAWriteInFlightStillWritesIt) {
    TempDir dir;
    std::string payload(3 << 20, 'q');  // more than one buffer's worth
    {
        Runtime rt = make_runtime();
        fs::File f = *rt.block_on(fs::File::create(dir / "w"));
        rt.block_on(lazy([&] {
            auto w = io::write(f, std::string_view(payload));
            auto p = test::poll_once(w);
            ASSERT_TRUE(p.is_ready());  // accepted into the buffer at once
            EXPECT_EQ(*p.value(), fs::File::kDefaultMaxBufSize);
        }));
        // f goes out of scope with its write in flight, then the runtime shuts
        // down, which waits for the blocking pool.
    }
    EXPECT_EQ(slurp(dir / "w"), payload.substr(0, fs::File::kDefaultMaxBufSize));
}

TEST(FsFile, AWriteStillQueuedWhenTheRuntimeShutsDownIsNotLost) {
    TempDir dir;
    stdfs::path p = dir / "queued";
    const std::string payload = "accepted before shutdown";
    {
        Runtime rt = Builder::new_multi_thread().worker_threads(1).max_blocking_threads(1).enable_all().build();
        fs::File f = *rt.block_on(fs::File::create(p));
        rt.block_on(lazy([&] {
            // Occupy the only blocking thread until the file holds the payload,
            // so the write below stays queued until shutdown cancels the queue.
            // (The bound only turns a lost write into a failure instead of a hang.)
            (void)spawn_blocking([p, n = payload.size()] {
                for (int i = 0; i < 20000; ++i) {
                    std::error_code ec;
                    if (stdfs::file_size(p, ec) >= n && !ec) return;
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
            });
            auto w = io::write(f, std::string_view(payload));
            ASSERT_TRUE(test::poll_once(w).is_ready());
        }));
    }
    EXPECT_EQ(slurp(p), payload);
}

TEST(FsFile, FileMovedAfterUseKeepsWorking) {
    TempDir dir;
    Runtime rt = make_runtime();
    fs::File a = *rt.block_on(fs::File::create(dir / "m"));
    ASSERT_TRUE(rt.block_on(io::write_all(a, std::string_view("moved"))).is_ok());
    fs::File b = std::move(a);  // a write may still be in flight: it moves along
    ASSERT_TRUE(rt.block_on(io::flush(b)).is_ok());
    EXPECT_EQ(slurp(dir / "m"), "moved");
}
