// static_files: canonicalize → stat → (index.html | listing | open), each a
// hop to the blocking pool, awaited in turn in one async body.
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

/// The status for a failed filesystem call on a path the client named.
int status_for(const fs::Error& e) {
    if (e == std::errc::no_such_file_or_directory || e == std::errc::not_a_directory ||
        e == std::errc::too_many_symbolic_link_levels || e == std::errc::filename_too_long)
        return 404;
    if (e == std::errc::permission_denied) return 403;
    return 500;
}

/// Why a request gets an error answer. Built from a failed filesystem call
/// (Rust's `From<io::Error>`), so that `?` gives it.
struct Refused {
    int status;
    Refused(int s) : status(s) {}
    Refused(const fs::Error& e) : status(status_for(e)) {}
    Refused(const std::error_code&) : status(500) {}  // on a file already open (a seek): not the client's doing
};

/// True if `real` is `root` or inside it, compared component by component
/// (so "/srv/www-old" is not inside "/srv/www").
bool is_under(const Path& real, const Path& root) {
    auto [r, _] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    return r == root.end();
}

pollen::Result<Reply, Refused> listing(const std::string& decoded_path, std::vector<fs::Result<fs::DirEntry>> items) {
    std::vector<ListingEntry> entries;
    for (auto& item : items) {
        if (item.is_err()) return pollen::Err(Refused(500));
        entries.push_back({item->file_name().string(), item->file_type().is_dir()});
    }
    Reply r;
    r.content_type = "text/html; charset=utf-8";
    r.body = render_listing(decoded_path, std::move(entries));
    r.content_length = r.body.size();
    return pollen::Ok(std::move(r));
}

/// The Location of a folder asked for without its slash: the request's path
/// plus "/", and always a path: leading slashes (and backslashes, which
/// browsers read as slashes) collapse into one, so that "//evil.example"
/// never comes back as a protocol-relative URL naming another host.
std::string folder_location(std::string_view raw_path) {
    std::string out = "/";
    std::size_t first = raw_path.find_first_not_of("/\\");
    if (first != std::string_view::npos) out += raw_path.substr(first);
    out += '/';
    return out;
}

/// `async fn serve(root, tp, head_only) -> Result<Reply, Refused>`, line for
/// line: each `?` turns a failed filesystem call into its status.
class ServeStatic : public pollen::Async<ServeStatic, pollen::Result<Reply, Refused>> {
public:
    ServeStatic(RootPtr root, TargetPath tp, bool head_only, Preconditions pre)
        : root_(std::move(root)), tp_(std::move(tp)), head_only_(head_only), pre_(std::move(pre)) {}

    pollen::Poll<Output> poll(pollen::Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_LET_TRY(path_, fs::canonicalize(tp_.relative.empty() ? *root_ : *root_ / tp_.relative));
        if (!is_under(path_, *root_)) POLLEN_RETURN(pollen::Err(Refused(404)));  // a symlink leading out
        POLLEN_LET_TRY(meta_, fs::metadata(path_));
        if (meta_.is_dir()) {
            if (!tp_.directory_form) {  // redirected, so that relative links in it work
                reply_ = error_reply(301);
                reply_.location = folder_location(tp_.raw_path);
                POLLEN_RETURN(pollen::Ok(std::move(reply_)));
            }
            POLLEN_LET(index_, fs::metadata(path_ / "index.html"));
            if (index_->is_err() || !index_->value().is_file()) {
                POLLEN_LET_TRY(dir_, fs::read_dir(path_));
                POLLEN_LET(items_, std::move(*dir_).collect());
                POLLEN_RETURN(listing(tp_.decoded_path, std::move(items_)));
            }
            path_ /= "index.html";
            meta_ = index_->value();
        } else if (!meta_.is_file() || tp_.directory_form) {
            POLLEN_RETURN(pollen::Err(Refused(404)));
        }
        if (!file_answer()) POLLEN_RETURN(pollen::Ok(std::move(reply_)));  // 304 or 416: no file to send
        if (!head_only_) {
            POLLEN_LET_TRY(reply_.file, fs::File::open(path_));
            if (selected_.first > 0) POLLEN_AWAIT_TRY(reply_.file->seek(fs::SeekFrom::start(selected_.first)));
        }
        POLLEN_RETURN(pollen::Ok(std::move(reply_)));
        POLLEN_END;
    }

private:
    /// The file's answer (`path_`, `meta_`) as the preconditions select it;
    /// false when it has no body from the file (304, 416).
    bool file_answer() {
        Validators v = validators_for(meta_.modified(), meta_.len());
        selected_ = select_representation(pre_, v, !head_only_);
        if (selected_.status == 416) {
            reply_ = error_reply(416);
            reply_.content_range = content_range(selected_, v.size);
            reply_.accept_ranges = true;
            return false;
        }
        reply_.status = selected_.status;
        reply_.etag = std::move(v.etag);
        reply_.last_modified = std::move(v.last_modified);
        if (selected_.status == 304) return false;
        reply_.accept_ranges = true;
        reply_.content_type = content_type_for(path_.filename().string());
        reply_.content_length = selected_.length;
        if (selected_.status == 206) reply_.content_range = content_range(selected_, v.size);
        return true;
    }

    RootPtr root_;
    TargetPath tp_;
    bool head_only_;
    Preconditions pre_;
    Selection selected_;
    Path path_;
    fs::Metadata meta_;
    std::optional<fs::Result<fs::Metadata>> index_;
    std::optional<fs::ReadDir> dir_;
    std::vector<fs::Result<fs::DirEntry>> items_;
    Reply reply_;
    POLLEN_FRAME;
};

}  // namespace

pollen::BoxFuture<Reply> serve_static(RootPtr root, const std::string& target, bool head_only, Preconditions pre) {
    auto parsed = parse_target(target);
    if (auto* status = std::get_if<int>(&parsed)) return pollen::future::ready(error_reply(*status)).boxed();
    return ServeStatic(std::move(root), std::move(std::get<TargetPath>(parsed)), head_only, std::move(pre))
        .map([](auto r) { return r.is_ok() ? std::move(r).value() : error_reply(r.error().status); })
        .boxed();
}

}  // namespace http_server
