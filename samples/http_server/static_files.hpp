#pragma once
// static_files: what to answer to a GET or HEAD of a path under the served
// folder, found with pollen::fs (every stat, open and directory read runs on
// the runtime's blocking pool). The answer's body is either a generated
// string (a listing, an error) or an open File the connection streams.
#include <pollen.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace http_server {

struct Reply {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::uint64_t content_length = 0;
    std::string body;                      ///< the bytes to send when there is no file
    std::optional<pollen::fs::File> file;  ///< streamed, content_length bytes; never set for HEAD
    std::string location;                  ///< for a redirect
};

/// An answer with the standard text body of `status`.
Reply error_reply(int status);

/// Resolves `target` under `root` (an absolute, canonical folder) and opens
/// what it names. A ".." or an absolute escape is refused before any
/// filesystem access; then the real path, symlinks resolved, must still lie
/// under `root`, so a symlink pointing out is refused too (404, as if
/// missing: nothing about the outside is revealed). A folder asked for
/// without its trailing '/' is redirected (301) so relative links in it work;
/// with it, its index.html is served, else a listing. `head_only`: the same
/// status and length, no file opened. Destroying the future mid-way lets the
/// filesystem call in flight finish on the pool; an opened file is closed.
pollen::BoxFuture<Reply> serve_static(std::shared_ptr<const std::filesystem::path> root, const std::string& target,
                                      bool head_only);

}  // namespace http_server
