#include "dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace pollen::fs {

namespace {

Result<void> check(int rc, const char* op, const std::filesystem::path& path) {
    if (rc < 0) return Err(Error(detail::last_os_error(), op, path));
    return Ok();
}

Result<void> create_dir_all_blocking(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Err(Error(ec, "create_dir_all", path));
    // create_directories reports success for an existing non-directory in
    // some cases; Rust reports it as an error.
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0) return Err(Error(detail::last_os_error(), "create_dir_all", path));
    if (!S_ISDIR(st.st_mode)) return Err(Error(io::error(std::errc::file_exists), "create_dir_all", path));
    return Ok();
}

Result<void> remove_dir_all_blocking(const std::filesystem::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0) return Err(Error(detail::last_os_error(), "remove_dir_all", path));
    if (!S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
        return Err(Error(io::error(std::errc::not_a_directory), "remove_dir_all", path));
    std::error_code ec;
    std::filesystem::remove_all(path, ec);  // does not follow symlinks
    if (ec) return Err(Error(ec, "remove_dir_all", path));
    return Ok();
}

}  // namespace

FsFuture<void> create_dir(std::filesystem::path path) {
    return FsFuture<void>("create_dir", path, [path] { return check(::mkdir(path.c_str(), 0777), "create_dir", path); });
}

FsFuture<void> create_dir_all(std::filesystem::path path) {
    return FsFuture<void>("create_dir_all", path, [path] { return create_dir_all_blocking(path); });
}

FsFuture<void> remove_dir(std::filesystem::path path) {
    return FsFuture<void>("remove_dir", path, [path] { return check(::rmdir(path.c_str()), "remove_dir", path); });
}

FsFuture<void> remove_dir_all(std::filesystem::path path) {
    return FsFuture<void>("remove_dir_all", path, [path] { return remove_dir_all_blocking(path); });
}

}  // namespace pollen::fs
