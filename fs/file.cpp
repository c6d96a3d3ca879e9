#include "file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <utility>

namespace pollen::fs {

namespace detail {

namespace {
std::error_code os_error() { return {errno, std::system_category()}; }

// lseek(2) with Rust's SeekFrom; a negative result offset is EINVAL.
io::Result<std::uint64_t> seek_fd(int fd, SeekFrom pos) {
    int whence = pos.whence == SeekFrom::Whence::start ? SEEK_SET
                 : pos.whence == SeekFrom::Whence::end ? SEEK_END
                                                       : SEEK_CUR;
    off_t off = ::lseek(fd, static_cast<off_t>(pos.offset), whence);
    if (off < 0) return Err(os_error());
    return Ok(static_cast<std::uint64_t>(off));
}
}  // namespace

OpResult run_op(OpRequest& req) {
    OpResult res;
    res.kind = req.kind;
    int fd = req.fd->get();
    // Read-ahead the caller never saw: put the offset back where the caller is.
    if (req.rewind != 0) {
        if (auto r = seek_fd(fd, SeekFrom::current(req.rewind)); r.is_err()) {
            res.error = r.error();
            req.buf.clear();
            res.buf = std::move(req.buf);
            return res;
        }
    }
    switch (req.kind) {
        case OpKind::read: {
            auto r = req.buf.read_from(fd);
            if (r.is_err()) res.error = r.error();
            else res.value = *r;
            break;
        }
        case OpKind::write: {
            auto r = req.buf.write_to(fd);
            if (r.is_err()) res.error = r.error();
            break;
        }
        case OpKind::seek: {
            auto r = seek_fd(fd, req.seek);
            if (r.is_err()) res.error = r.error();
            else res.value = *r;
            break;
        }
        case OpKind::set_len: {
            int rc;
            do rc = ::ftruncate(fd, static_cast<off_t>(req.len));
            while (rc < 0 && errno == EINTR);
            if (rc < 0) res.error = os_error();
            break;
        }
        case OpKind::sync_all:
            if (::fsync(fd) < 0) res.error = os_error();
            break;
        case OpKind::sync_data:
            if (::fdatasync(fd) < 0) res.error = os_error();
            break;
        case OpKind::metadata:
            if (::fstat(fd, &res.st) < 0) res.error = os_error();
            break;
    }
    res.buf = std::move(req.buf);
    return res;
}

}  // namespace detail

File::File(int fd) : fd_(std::make_shared<pollen::detail::OwnedFd>(fd)) {}

FsFuture<File> File::open(std::filesystem::path path) { return OpenOptions().read(true).open(std::move(path)); }
FsFuture<File> File::create(std::filesystem::path path) {
    return OpenOptions().write(true).create(true).truncate(true).open(std::move(path));
}
FsFuture<File> File::create_new(std::filesystem::path path) {
    return OpenOptions().read(true).write(true).create_new(true).open(std::move(path));
}

void File::spawn(detail::OpRequest req) {
    assert(!busy_);
    req.fd = fd_;
    req.buf = std::move(buf_);
    busy_.emplace(spawn_blocking(detail::OpTask(std::move(req))));
}

Poll<io::Result<detail::OpResult>> File::poll_op(Context& cx) {
    assert(busy_ && "pollen: File::poll_op with no operation in flight");
    auto p = busy_->poll(cx);
    if (p.is_pending()) return pending;
    auto joined = p.take();
    busy_.reset();
    if (joined.is_err()) {
        // The runtime shut down before a pool thread ran the operation; its
        // buffer went with it.
        buf_ = detail::FileBuf();
        return ready(io::Result<detail::OpResult>(Err(io::error(std::errc::operation_canceled))));
    }
    detail::OpResult r = std::move(joined).value();
    buf_ = std::move(r.buf);
    return ready(io::Result<detail::OpResult>(Ok(std::move(r))));
}

Poll<io::Result<std::size_t>> File::poll_read(Context& cx, std::span<std::byte> dst) {
    using R = io::Result<std::size_t>;
    for (;;) {
        if (!busy_) {
            if (!buf_.is_empty()) return ready(R(Ok(buf_.copy_to(dst))));
            if (dst.empty()) return ready(R(Ok(std::size_t{0})));
            buf_.prepare_read(dst.size(), max_buf_size_);
            detail::OpRequest req;
            req.kind = detail::OpKind::read;
            spawn(std::move(req));
        }
        auto p = poll_op(cx);
        if (p.is_pending()) return pending;
        auto r = p.take();
        if (r.is_err()) return ready(R(Err(r.error())));
        switch (r->kind) {
            case detail::OpKind::read:
                if (r->error) return ready(R(Err(r->error)));
                return ready(R(Ok(buf_.copy_to(dst))));
            case detail::OpKind::write:
                // Not ours to report: the next write or flush does.
                if (r->error) last_write_err_ = r->error;
                continue;
            default:
                continue;  // someone else's seek/set_len whose future was dropped
        }
    }
}

Poll<io::Result<std::size_t>> File::poll_write(Context& cx, std::span<const std::byte> src) {
    using R = io::Result<std::size_t>;
    if (last_write_err_) return ready(R(Err(std::exchange(last_write_err_, {}))));
    for (;;) {
        if (!busy_) {
            if (src.empty()) return ready(R(Ok(std::size_t{0})));
            detail::OpRequest req;
            req.kind = detail::OpKind::write;
            req.rewind = buf_.discard_read();
            std::size_t n = buf_.copy_from(src, max_buf_size_);
            spawn(std::move(req));
            return ready(R(Ok(n)));
        }
        auto p = poll_op(cx);
        if (p.is_pending()) return pending;
        auto r = p.take();
        if (r.is_err()) return ready(R(Err(r.error())));
        if (r->kind == detail::OpKind::write && r->error) return ready(R(Err(r->error)));
    }
}

Poll<io::Result<void>> File::poll_flush(Context& cx) {
    using R = io::Result<void>;
    if (last_write_err_) return ready(R(Err(std::exchange(last_write_err_, {}))));
    if (!busy_) return ready(R(Ok()));
    auto p = poll_op(cx);
    if (p.is_pending()) return pending;
    auto r = p.take();
    if (r.is_err()) return ready(R(Err(r.error())));
    if (r->kind == detail::OpKind::write && r->error) return ready(R(Err(r->error)));
    return ready(R(Ok()));
}

Poll<void> File::poll_complete_inflight(Context& cx) {
    auto p = poll_flush(cx);
    if (p.is_pending()) return pending;
    if (auto r = p.take(); r.is_err()) last_write_err_ = r.error();
    return ready();
}

void File::start_op(detail::OpRequest req) {
    assert(!busy_ && "pollen: File::start_op while an operation is in flight");
    if (req.kind == detail::OpKind::seek) {
        // The caller's position is behind the fd's by the unread read-ahead.
        std::int64_t back = buf_.discard_read();
        if (req.seek.whence == SeekFrom::Whence::current) req.seek.offset += back;
    } else if (req.kind == detail::OpKind::set_len) {
        req.rewind = buf_.discard_read();
    }
    spawn(std::move(req));
}

namespace {
detail::OpRequest request(detail::OpKind kind) {
    detail::OpRequest req;
    req.kind = kind;
    return req;
}
}  // namespace

FileOp<std::uint64_t> File::seek(SeekFrom pos) {
    detail::OpRequest req = request(detail::OpKind::seek);
    req.seek = pos;
    return FileOp<std::uint64_t>(*this, std::move(req));
}
FileOp<void> File::sync_all() { return FileOp<void>(*this, request(detail::OpKind::sync_all)); }
FileOp<void> File::sync_data() { return FileOp<void>(*this, request(detail::OpKind::sync_data)); }
FileOp<void> File::set_len(std::uint64_t size) {
    detail::OpRequest req = request(detail::OpKind::set_len);
    req.len = size;
    return FileOp<void>(*this, std::move(req));
}
FileOp<Metadata> File::metadata() { return FileOp<Metadata>(*this, request(detail::OpKind::metadata)); }

}  // namespace pollen::fs
