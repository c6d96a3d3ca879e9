#include "console_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pollen::detail {

std::string console_dir() {
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg) return std::string(xdg) + "/pollen-console";
    return "/tmp/pollen-console-" + std::to_string(::getuid());
}

std::string ensure_private_dir(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return "cannot create " + dir + ": " + std::strerror(errno);
    // lstat: a link planted in /tmp by someone else must not redirect us.
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return "cannot stat " + dir + ": " + std::strerror(errno);
    if (!S_ISDIR(st.st_mode)) return dir + " is not a directory";
    if (st.st_uid != ::geteuid()) return dir + " belongs to another user";
    if ((st.st_mode & 0077) != 0 && ::chmod(dir.c_str(), 0700) != 0)
        return dir + " is open to other users and cannot be closed: " + std::strerror(errno);
    return "";
}

std::string next_default_console_path() {
    static std::atomic<unsigned> count{0};
    unsigned n = ++count;
    std::string name = std::to_string(::getpid());
    if (n > 1) name += "-" + std::to_string(n);
    return console_dir() + "/" + name + ".sock";
}

}  // namespace pollen::detail
