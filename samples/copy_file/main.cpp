// copy_file: copies a file with pollen::fs::File, the async book's copy loop
// written top to bottom as an async body (copy_loop.hpp), not fs::copy.
//
//     copy_file SRC DST [--buf-size B]        (B in bytes, or with K or M: 64K, 1M; default 256K)
//
// While it copies, a progress line on stderr (percent and bytes; redrawn in
// place on a terminal, every quarter otherwise). At the end, on stdout, the
// bytes copied, the elapsed time and the throughput. Exit 0 on success; 1
// with the failing path on stderr (a missing source, an unwritable
// destination); 2 for a bad command line.
//
// Every read and write is a trip to the runtime's blocking pool, one buffer
// at a time: --buf-size trades memory for fewer trips. fs::copy would do the
// whole copy in one trip, in the kernel (copy_file_range); this sample is the
// loop you write when you need to see, or transform, each chunk.

#include <pollen.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "copy_loop.hpp"

using copy_file::CopyLoop;
using copy_file::CopyProgress;

namespace {

struct Args {
    std::string src, dst;
    std::size_t buf_size = 256 * 1024;
};

/// "65536", "64K", "1M" -> bytes; nullopt if malformed or zero.
std::optional<std::size_t> parse_size(const std::string& s) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (end == s.c_str() || v == 0 || s[0] == '-') return std::nullopt;
    std::string suffix = end;
    if (suffix == "K" || suffix == "k") v *= 1024;
    else if (suffix == "M" || suffix == "m") v *= 1024 * 1024;
    else if (!suffix.empty()) return std::nullopt;
    return static_cast<std::size_t>(v);
}

std::optional<Args> parse_args(int argc, char** argv) {
    Args a;
    int positional = 0;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--buf-size" && i + 1 < argc) {
            auto n = parse_size(argv[++i]);
            if (!n) return std::nullopt;
            a.buf_size = *n;
        } else if (arg.rfind("--", 0) != 0 && positional < 2) {
            (positional++ == 0 ? a.src : a.dst) = arg;
        } else {
            return std::nullopt;
        }
    }
    if (positional != 2) return std::nullopt;
    return a;
}

/// Draws the progress line on stderr: in place on a terminal (at most ten
/// times a second), otherwise one plain line per quarter of the file.
class ProgressLine {
public:
    ProgressLine() : tty_(::isatty(STDERR_FILENO) == 1) {}

    void update(const CopyProgress& p) {
        int percent = p.total ? static_cast<int>(p.copied * 100 / p.total) : 100;
        auto now = std::chrono::steady_clock::now();
        if (tty_) {
            if (now - last_ < std::chrono::milliseconds(100) && p.copied < p.total) return;
            last_ = now;
            std::fprintf(stderr, "\rcopy_file: %3d%% (%llu of %llu bytes)\033[K", percent,
                         static_cast<unsigned long long>(p.copied), static_cast<unsigned long long>(p.total));
        } else {
            if (percent < next_quarter_) return;
            while (next_quarter_ <= percent) next_quarter_ += 25;
            std::fprintf(stderr, "copy_file: %3d%% (%llu of %llu bytes)\n", percent,
                         static_cast<unsigned long long>(p.copied), static_cast<unsigned long long>(p.total));
        }
        std::fflush(stderr);
    }
    void finish() {
        if (tty_) std::fprintf(stderr, "\n");
    }

private:
    bool tty_;
    int next_quarter_ = 25;
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace

int main(int argc, char** argv) {
    std::optional<Args> args = parse_args(argc, argv);
    if (!args) {
        std::fprintf(stderr, "usage: copy_file SRC DST [--buf-size B]   (B: bytes, or 64K, 1M...)\n");
        return 2;
    }
    // One task needs one thread; the reads and writes run on the blocking pool.
    pollen::Runtime rt = pollen::Builder::new_current_thread().enable_all().build();

    ProgressLine line;
    auto start = std::chrono::steady_clock::now();
    pollen::fs::Result<std::uint64_t> copied = rt.block_on(
        CopyLoop(args->src, args->dst, args->buf_size, [&line](const CopyProgress& p) { line.update(p); }));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    line.finish();

    if (copied.is_err()) {
        std::fprintf(stderr, "copy_file: %s\n", copied.error().message().c_str());
        return 1;
    }
    std::uint64_t bytes = copied.value();
    std::printf("copied %llu bytes from %s to %s in %.3f s: %.1f MB/s (buffer %zu bytes)\n",
                static_cast<unsigned long long>(bytes), args->src.c_str(), args->dst.c_str(), secs,
                secs > 0 ? static_cast<double>(bytes) / 1e6 / secs : 0.0, args->buf_size);
    return 0;
}
