// static_files: the chain canonicalize → stat → (index.html | listing | open)
// as combinators on pollen::fs futures, each step a hop to the blocking pool.
// The branches have different future types, so each is boxed.
#include "static_files.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "content_type.hpp"
#include "dir_listing.hpp"
#include "response.hpp"
#include "target_path.hpp"

namespace http_server {

namespace fs = pollen::fs;
using Path = std::filesystem::path;
using RootPtr = std::shared_ptr<const Path>;

Reply error_reply(int status) {
    Reply r;
    r.status = status;
    r.body = error_body(status);
    r.content_length = r.body.size();
    return r;
}

namespace {

pollen::BoxFuture<Reply> now(Reply r) { return pollen::future::ready(std::move(r)).boxed(); }

/// The status for a failed filesystem call on a path the client named.
int status_for(const fs::Error& e) {
    if (e == std::errc::no_such_file_or_directory || e == std::errc::not_a_directory ||
        e == std::errc::too_many_symbolic_link_levels || e == std::errc::filename_too_long)
        return 404;
    if (e == std::errc::permission_denied) return 403;
    return 500;
}

/// True if `real` is `root` or inside it, compared component by component
/// (so "/srv/www-old" is not inside "/srv/www").
bool is_under(const Path& real, const Path& root) {
    auto [r, _] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    return r == root.end();
}

pollen::BoxFuture<Reply> open_file(Path path, std::uint64_t len, bool head_only) {
    Reply ok;
    ok.content_type = content_type_for(path.filename().string());
    ok.content_length = len;
    if (head_only) return now(std::move(ok));
    return fs::File::open(std::move(path))
        .map([ok = std::move(ok)](fs::Result<fs::File> f) mutable {
            if (f.is_err()) return error_reply(status_for(f.error()));
            ok.file.emplace(std::move(f).value());
            return std::move(ok);
        })
        .boxed();
}

pollen::BoxFuture<Reply> listing(Path dir, std::string decoded_path) {
    return fs::read_dir(std::move(dir))
        .then([decoded_path = std::move(decoded_path)](fs::Result<fs::ReadDir> rd) mutable {
            if (rd.is_err()) return now(error_reply(status_for(rd.error())));
            return std::move(rd)
                .value()
                .collect()
                .map([decoded_path = std::move(decoded_path)](std::vector<fs::Result<fs::DirEntry>> items) {
                    std::vector<ListingEntry> entries;
                    for (auto& item : items) {
                        if (item.is_err()) return error_reply(500);
                        entries.push_back({item->file_name().string(), item->file_type().is_dir()});
                    }
                    Reply r;
                    r.content_type = "text/html; charset=utf-8";
                    r.body = render_listing(decoded_path, std::move(entries));
                    r.content_length = r.body.size();
                    return r;
                })
                .boxed();
        })
        .boxed();
}

pollen::BoxFuture<Reply> folder(Path real, TargetPath tp, bool head_only) {
    if (!tp.directory_form) {
        Reply r = error_reply(301);
        r.location = tp.raw_path + "/";
        return now(std::move(r));
    }
    Path index = real / "index.html";
    return fs::metadata(index)
        .then([real = std::move(real), index, decoded = std::move(tp.decoded_path),
               head_only](fs::Result<fs::Metadata> m) mutable {
            if (m.is_ok() && m->is_file()) return open_file(std::move(index), m->len(), head_only);
            return listing(std::move(real), std::move(decoded));
        })
        .boxed();
}

}  // namespace

pollen::BoxFuture<Reply> serve_static(RootPtr root, const std::string& target, bool head_only) {
    auto parsed = parse_target(target);
    if (auto* status = std::get_if<int>(&parsed)) return now(error_reply(*status));
    TargetPath tp = std::move(std::get<TargetPath>(parsed));
    Path candidate = tp.relative.empty() ? *root : *root / tp.relative;

    return fs::canonicalize(std::move(candidate))
        .then([root, tp = std::move(tp), head_only](fs::Result<Path> real) mutable {
            if (real.is_err()) return now(error_reply(status_for(real.error())));
            if (!is_under(*real, *root)) return now(error_reply(404));  // a symlink leading out
            Path path = std::move(real).value();
            return fs::metadata(path)
                .then([path, tp = std::move(tp), head_only](fs::Result<fs::Metadata> m) mutable {
                    if (m.is_err()) return now(error_reply(status_for(m.error())));
                    if (m->is_dir()) return folder(std::move(path), std::move(tp), head_only);
                    if (!m->is_file() || tp.directory_form) return now(error_reply(404));
                    return open_file(std::move(path), m->len(), head_only);
                })
                .boxed();
        })
        .boxed();
}

}  // namespace http_server
