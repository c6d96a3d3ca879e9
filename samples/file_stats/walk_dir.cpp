// file_stats: WalkDir's step (see walk_dir.hpp).
#include "walk_dir.hpp"

#include <utility>

namespace file_stats {

namespace fs = pollen::fs;

pollen::Poll<WalkDir::Step::Output> WalkDir::Step::poll(pollen::Context& cx) {
    POLLEN_BEGIN(cx);
    if (!walk.started_) {
        walk.started_ = true;
        POLLEN_LET(root, fs::metadata(walk.root_));
        if (root->is_err()) POLLEN_RETURN(Item(pollen::Err(root->error())));  // pending_ is empty: the walk ends
        if (root->value().is_dir()) walk.pending_.push_back(walk.root_);
        POLLEN_RETURN(Item(pollen::Ok(fs::DirEntry(walk.root_, root->value().file_type()))));
    }
    for (;;) {
        if (walk.reading_) {
            POLLEN_LET(entry, walk.reading_->next());
            if (!entry) {  // this directory is done; on to the next one
                walk.reading_.reset();
                continue;
            }
            if (entry->is_ok() && entry->value().file_type().is_dir()) walk.pending_.push_back(entry->value().path());
            POLLEN_RETURN(std::move(entry));
        }
        if (walk.pending_.empty()) POLLEN_RETURN(std::nullopt);
        dir = std::move(walk.pending_.back());
        walk.pending_.pop_back();
        POLLEN_LET(opened, fs::read_dir(dir));
        if (opened->is_err()) POLLEN_RETURN(Item(pollen::Err(opened->error())));
        walk.reading_.emplace(std::move(*opened).value());
    }
    POLLEN_END;
}

}  // namespace file_stats
