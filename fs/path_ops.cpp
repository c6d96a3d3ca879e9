#include "path_ops.hpp"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>

namespace pollen::fs {

namespace {

Result<void> check(int rc, const char* op, const std::filesystem::path& a, const std::filesystem::path& b = {}) {
    if (rc < 0) return Err(Error(detail::last_os_error(), op, a, b));
    return Ok();
}

Result<Metadata> stat_blocking(const std::filesystem::path& path, bool follow) {
    struct stat st {};
    int rc = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
    if (rc < 0) return Err(Error(detail::last_os_error(), follow ? "metadata" : "symlink_metadata", path));
    return Ok(Metadata(st));
}

Result<std::filesystem::path> read_link_blocking(const std::filesystem::path& path) {
    std::string buf(256, '\0');
    for (;;) {
        ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
        if (n < 0) return Err(Error(detail::last_os_error(), "read_link", path));
        // A full buffer may mean a truncated target: try again larger.
        if (static_cast<std::size_t>(n) < buf.size()) {
            buf.resize(static_cast<std::size_t>(n));
            return Ok(std::filesystem::path(buf));
        }
        buf.resize(buf.size() * 2);
    }
}

Result<std::filesystem::path> canonicalize_blocking(const std::filesystem::path& path) {
    std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr), &std::free);
    if (!resolved) return Err(Error(detail::last_os_error(), "canonicalize", path));
    return Ok(std::filesystem::path(resolved.get()));
}

Result<bool> try_exists_blocking(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return Ok(true);
    if (errno == ENOENT || errno == ENOTDIR) return Ok(false);
    return Err(Error(detail::last_os_error(), "try_exists", path));
}

}  // namespace

FsFuture<void> rename(std::filesystem::path from, std::filesystem::path to) {
    return FsFuture<void>("rename", from,
                          [from, to] { return check(::rename(from.c_str(), to.c_str()), "rename", from, to); });
}

FsFuture<void> remove_file(std::filesystem::path path) {
    return FsFuture<void>("remove_file", path, [path] { return check(::unlink(path.c_str()), "remove_file", path); });
}

FsFuture<void> hard_link(std::filesystem::path original, std::filesystem::path link) {
    return FsFuture<void>("hard_link", original, [original, link] {
        return check(::link(original.c_str(), link.c_str()), "hard_link", original, link);
    });
}

FsFuture<void> symlink(std::filesystem::path original, std::filesystem::path link) {
    return FsFuture<void>("symlink", original, [original, link] {
        return check(::symlink(original.c_str(), link.c_str()), "symlink", original, link);
    });
}

FsFuture<std::filesystem::path> read_link(std::filesystem::path path) {
    return FsFuture<std::filesystem::path>("read_link", path, [path] { return read_link_blocking(path); });
}

FsFuture<std::filesystem::path> canonicalize(std::filesystem::path path) {
    return FsFuture<std::filesystem::path>("canonicalize", path, [path] { return canonicalize_blocking(path); });
}

FsFuture<Metadata> metadata(std::filesystem::path path) {
    return FsFuture<Metadata>("metadata", path, [path] { return stat_blocking(path, true); });
}

FsFuture<Metadata> symlink_metadata(std::filesystem::path path) {
    return FsFuture<Metadata>("symlink_metadata", path, [path] { return stat_blocking(path, false); });
}

FsFuture<void> set_permissions(std::filesystem::path path, Permissions perm) {
    return FsFuture<void>("set_permissions", path,
                          [path, perm] { return check(::chmod(path.c_str(), perm.mode()), "set_permissions", path); });
}

FsFuture<bool> try_exists(std::filesystem::path path) {
    return FsFuture<bool>("try_exists", path, [path] { return try_exists_blocking(path); });
}

}  // namespace pollen::fs
