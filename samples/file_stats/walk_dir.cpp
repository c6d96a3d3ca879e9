// file_stats: WalkDir's poll_next (see walk_dir.hpp).
#include "walk_dir.hpp"

namespace file_stats {

using pollen::fs::DirEntry;

pollen::Poll<std::optional<WalkDir::Item>> WalkDir::poll_next(pollen::Context& cx) {
    auto yield = [](Item item) { return pollen::ready(std::optional<Item>(std::move(item))); };

    if (!started_) {
        started_ = true;
        root_stat_.emplace(pollen::fs::metadata(root_));
    }
    if (root_stat_) {
        auto p = root_stat_->poll(cx);
        if (p.is_pending()) return pollen::pending;
        auto meta = p.take();
        root_stat_.reset();
        if (meta.is_err()) return yield(pollen::Err(meta.error()));  // pending_ is empty: the walk ends
        if (meta.value().is_dir()) pending_.push_back(root_);
        return yield(pollen::Ok(DirEntry(root_, meta.value().file_type())));
    }
    for (;;) {
        if (reading_) {
            auto p = reading_->poll_next(cx);
            if (p.is_pending()) return pollen::pending;
            std::optional<Item> item = p.take();
            if (!item) {  // this directory is done; on to the next one
                reading_.reset();
                continue;
            }
            if (item->is_ok() && item->value().file_type().is_dir()) pending_.push_back(item->value().path());
            return pollen::ready(std::move(item));
        }
        if (opening_) {
            auto p = opening_->poll(cx);
            if (p.is_pending()) return pollen::pending;
            auto dir = p.take();
            opening_.reset();
            if (dir.is_err()) return yield(pollen::Err(dir.error()));
            reading_.emplace(std::move(dir).value());
            continue;
        }
        if (pending_.empty()) return pollen::ready(std::optional<Item>());
        opening_.emplace(pollen::fs::read_dir(std::move(pending_.back())));
        pending_.pop_back();
    }
}

}  // namespace file_stats
