// file_stats: CountEntry's states (see count_entry.hpp).
#include "count_entry.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <utility>

namespace file_stats {

namespace fs = pollen::fs;

CountEntry::CountEntry(WalkDir::Item item, std::shared_ptr<Progress> progress) : progress_(std::move(progress)) {
    if (item.is_err()) {
        decided_ = Outcome::failed(item.error().path(), item.error().message());
        return;
    }
    const fs::DirEntry& entry = item.value();
    path_ = entry.path();
    fs::FileType type = entry.file_type();
    if (type.is_dir()) {
        decided_ = Outcome::dir(path_);
    } else if (type.is_symlink()) {
        // Follow it to see what it points at: a file is counted, anything
        // else (a directory, nothing at all) is not read.
        stat_.emplace(fs::metadata(path_));
        state_ = State::Stat;
    } else if (type.is_file()) {
        start_open();
    } else {
        decided_ = Outcome::skipped(path_);  // opening a FIFO would wait for a writer
    }
}

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

void CountEntry::start_open() {
    open_.emplace(pollen::spawn_blocking([path = path_] { return open_blocking(path); }));
    state_ = State::Open;
}

pollen::Ready<Outcome> CountEntry::finish(Outcome o) {
    file_.reset();
    buf_ = {};
    return pollen::ready(std::move(o));
}

pollen::Poll<Outcome> CountEntry::poll(pollen::Context& cx) {
    for (;;) {
        switch (state_) {
        case State::Decided:
            assert(decided_ && "CountEntry polled after Ready");
            return finish(std::move(*std::exchange(decided_, std::nullopt)));

        case State::Stat: {
            auto p = stat_->poll(cx);
            if (p.is_pending()) return pollen::pending;
            auto meta = p.take();
            stat_.reset();
            if (meta.is_err()) return finish(Outcome::failed(path_, meta.error().message()));
            if (!meta.value().is_file()) return finish(Outcome::skipped(path_));
            start_open();
            break;
        }

        case State::Open: {
            auto p = open_->poll(cx);
            if (p.is_pending()) return pollen::pending;
            auto joined = p.take();
            open_.reset();
            if (joined.is_err())  // the runtime shut down before a pool thread ran it
                return finish(Outcome::failed(path_, "open " + path_.string() + ": " + joined.error().what()));
            fs::Result<Opened> opened = std::move(joined).value();
            if (opened.is_err()) return finish(Outcome::failed(path_, opened.error().message()));
            Opened& o = opened.value();
            counter_.feed(o.head);
            progress_->bytes += o.head.size();
            if (o.eof) return finish(Outcome::file(path_, counter_.counts()));
            file_.emplace(std::move(*o.rest));
            buf_ = std::move(o.head);  // full (kBufSize) since eof was not reached: reuse it
            state_ = State::Read;
            break;
        }

        case State::Read: {
            auto p = file_->poll_read(cx, buf_);
            if (p.is_pending()) return pollen::pending;
            auto n = p.take();
            if (n.is_err())  // a File's errors are bare codes: name the path here
                return finish(Outcome::failed(path_, fs::Error(n.error(), "read", path_).message()));
            if (n.value() == 0) return finish(Outcome::file(path_, counter_.counts()));
            counter_.feed({buf_.data(), n.value()});
            progress_->bytes += n.value();
            break;
        }
        }
    }
}

}  // namespace file_stats
