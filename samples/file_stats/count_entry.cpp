// file_stats: CountEntry's body (see count_entry.hpp).
#include "count_entry.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace file_stats {

namespace fs = pollen::fs;

CountEntry::CountEntry(WalkDir::Item item, std::shared_ptr<Progress> progress)
    : item_(std::move(item)), progress_(std::move(progress)) {}

// Runs on a blocking-pool thread.
fs::Result<CountEntry::Opened> CountEntry::open_blocking(const std::filesystem::path& path) {
    auto os_error = [&](const char* op) { return fs::Error({errno, std::system_category()}, op, path); };
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return pollen::Err(os_error("open"));
    fs::File file(fd);  // owns the fd from here on, also on the error paths
    Opened out;
    out.head.resize(kBufSize);
    std::size_t len = 0;
    while (len < kBufSize) {
        ssize_t n = ::read(fd, out.head.data() + len, kBufSize - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return pollen::Err(os_error("read"));
        if (n == 0) {
            out.eof = true;
            break;
        }
        len += static_cast<std::size_t>(n);
    }
    out.head.resize(len);
    if (!out.eof) out.rest.emplace(std::move(file));  // the File goes on from where read(2) stopped
    return pollen::Ok(std::move(out));
}

pollen::Poll<Outcome> CountEntry::poll(pollen::Context& cx) {
    POLLEN_BEGIN(cx);
    if (item_.is_err()) POLLEN_RETURN(Outcome::failed(item_.error().path(), item_.error().message()));
    path_ = item_.value().path();
    if (item_.value().file_type().is_dir()) POLLEN_RETURN(Outcome::dir(path_));
    if (item_.value().file_type().is_symlink()) {
        // Follow it to see what it points at: a file is counted, anything
        // else (a directory, nothing at all) is not read.
        POLLEN_LET(target_, fs::metadata(path_));
        if (target_->is_err()) POLLEN_RETURN(Outcome::failed(path_, target_->error().message()));
        if (!target_->value().is_file()) POLLEN_RETURN(Outcome::skipped(path_));
    } else if (!item_.value().file_type().is_file()) {
        POLLEN_RETURN(Outcome::skipped(path_));  // opening a FIFO would wait for a writer
    }

    // fs::FsFuture is Tokio's `asyncify`: the call runs on the blocking pool.
    POLLEN_LET(opened_, fs::FsFuture<Opened>("open", path_, [path = path_] { return open_blocking(path); }));
    if (opened_->is_err()) POLLEN_RETURN(Outcome::failed(path_, opened_->error().message()));
    {
        Opened& o = opened_->value();
        counter_.feed(o.head);
        progress_->bytes += o.head.size();
        if (o.eof) POLLEN_RETURN(Outcome::file(path_, counter_.counts()));
        file_.emplace(std::move(*o.rest));
        buf_ = std::move(o.head);  // full (kBufSize) since eof was not reached: reuse it
    }
    for (;;) {
        POLLEN_LET(read_, pollen::io::read(*file_, buf_));
        if (read_->is_err())  // a File's errors are bare codes: name the path here
            POLLEN_RETURN(Outcome::failed(path_, fs::Error(read_->error(), "read", path_).message()));
        if (read_->value() == 0) POLLEN_RETURN(Outcome::file(path_, counter_.counts()));
        counter_.feed({buf_.data(), read_->value()});
        progress_->bytes += read_->value();
    }
    POLLEN_END;
}

}  // namespace file_stats
