// file_stats: the synchronous version, kept as the "before" picture.
//
// A plain loop: a work list of directories, std::filesystem to list them,
// read(2) to count each file. Every syscall blocks this one thread, so while
// a file is being read nothing is counted and while counting nothing is read.
// It follows exactly the rules of the async walk (walk_dir.hpp, count_entry.hpp)
// and words its errors the same way, so --compare can check the two agree.

#include "sync_stats.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <system_error>
#include <vector>

#include "counts.hpp"

namespace file_stats {

namespace stdfs = std::filesystem;

namespace {

std::string message(const char* op, const stdfs::path& path, std::error_code ec) {
    return std::string(op) + " " + path.string() + ": " + ec.message();
}

Outcome count_file(const stdfs::path& path, Progress& progress) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Outcome::failed(path, message("open", path, {errno, std::system_category()}));
    constexpr std::size_t kBufSize = 256 * 1024;  // as the async version's
    auto buf = std::make_unique<std::byte[]>(kBufSize);
    WordCounter counter;
    for (;;) {
        ssize_t n = ::read(fd, buf.get(), kBufSize);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            std::error_code ec(errno, std::system_category());
            ::close(fd);
            return Outcome::failed(path, message("read", path, ec));
        }
        if (n == 0) break;
        counter.feed({buf.get(), static_cast<std::size_t>(n)});
        progress.bytes += static_cast<std::uint64_t>(n);
    }
    ::close(fd);
    return Outcome::file(path, counter.counts());
}

/// What an entry of type `type` at `path` is, reading it if it is a file.
Outcome visit(const stdfs::path& path, stdfs::file_type type, Progress& progress) {
    if (type == stdfs::file_type::directory) return Outcome::dir(path);
    if (type == stdfs::file_type::symlink) {
        std::error_code ec;
        stdfs::file_status target = stdfs::status(path, ec);
        if (ec) return Outcome::failed(path, message("metadata", path, ec));
        if (target.type() != stdfs::file_type::regular) return Outcome::skipped(path);
        return count_file(path, progress);
    }
    if (type == stdfs::file_type::regular) return count_file(path, progress);
    return Outcome::skipped(path);
}

}  // namespace

Report count_tree_sync(const Options& opts, Progress& progress, ProgressPrinter& printer) {
    Report report(opts.top);
    auto add = [&](Outcome o) {
        progress.record(o);
        report.add(std::move(o));
        printer.maybe_print(progress);
    };

    std::error_code ec;
    stdfs::file_status root = stdfs::status(opts.root, ec);  // a symlinked root is followed
    if (ec) {
        add(Outcome::failed(opts.root, message("metadata", opts.root, ec)));
        return report;
    }
    std::vector<stdfs::path> pending;
    if (root.type() == stdfs::file_type::directory) pending.push_back(opts.root);
    // The root itself: a directory is recorded, a file counted.
    add(root.type() == stdfs::file_type::directory ? Outcome::dir(opts.root) : visit(opts.root, root.type(), progress));

    while (!pending.empty()) {
        stdfs::path dir = std::move(pending.back());
        pending.pop_back();
        stdfs::directory_iterator it(dir, ec);
        if (ec) {
            add(Outcome::failed(dir, message("read_dir", dir, ec)));
            continue;
        }
        for (; it != stdfs::directory_iterator(); it.increment(ec)) {
            stdfs::file_type type = it->symlink_status(ec).type();  // do not follow links
            if (ec) {
                add(Outcome::failed(it->path(), message("symlink_metadata", it->path(), ec)));
                continue;
            }
            if (type == stdfs::file_type::directory) pending.push_back(it->path());
            add(visit(it->path(), type, progress));
        }
        if (ec) add(Outcome::failed(dir, message("read_dir", dir, ec)));
    }
    return report;
}

}  // namespace file_stats
