#pragma once
// static_files: what to answer to a GET or HEAD of a path under the served
// folder, found with pollen::fs (every stat, open and directory read runs on
// the runtime's blocking pool). The answer's body is either a generated
// string (a listing, an error) or an open File the connection streams. A
// file's answer follows the request's conditional and range headers
// (conditional.hpp): 200, 206, 304 or 416, with its ETag and Last-Modified.
#include <pollen.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "conditional.hpp"

namespace http_server {

struct Reply {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::uint64_t content_length = 0;
    std::string body;                      ///< the bytes to send when there is no file
    std::optional<pollen::fs::File> file;  ///< streamed from its cursor (set to the range's start), content_length bytes; never set for HEAD
    std::string location;                  ///< for a redirect
    std::string last_modified;             ///< a file's validators (200, 206, 304)
    std::string etag;
    std::string content_range;  ///< 206 and 416
    bool accept_ranges = false;  ///< a file: ranges of it are served
};

/// An answer with the standard text body of `status`.
Reply error_reply(int status);

/// Resolves `target` under `root` (an absolute, canonical folder) and opens
/// what it names. A ".." or an absolute escape is refused before any
/// filesystem access; then the real path, symlinks resolved, must still lie
/// under `root`, so a symlink pointing out is refused too (404, as if
/// missing: nothing about the outside is revealed). A folder asked for
/// without its trailing '/' is redirected (301) so relative links in it work;
/// with it, its index.html is served, else a listing. A file is answered as
/// `pre` says (select_representation): whole, a range of it, 304 or 416.
/// `head_only`: the same status and headers, no file opened. Destroying the
/// future mid-way lets the filesystem call in flight finish on the pool; an
/// opened file is closed.
pollen::BoxFuture<Reply> serve_static(std::shared_ptr<const std::filesystem::path> root, const std::string& target,
                                      bool head_only, Preconditions pre = {});

}  // namespace http_server
