// Pub/sub: the registry and each client's Outbox (see pubsub.hpp).
#include "pubsub.hpp"

#include <algorithm>

#include "glob.hpp"

namespace mini_redis {

// ---------------------------------------------------------------- Outbox

bool Outbox::push(std::initializer_list<std::string_view> pieces, const OutputLimit& limit) {
    std::optional<pollen::Waker> wake;
    {
        std::lock_guard lock(mu_);
        if (closed_) return false;
        for (std::string_view p : pieces) queue_.append(p);
        const std::uint64_t pending = queue_.size() + unflushed_.load(std::memory_order_relaxed);
        const bool over = tracker_.over(pending, limit);
        if (over) close_locked();
        // The connection is woken by the close, or by the first message it
        // waits for; not by every message while it is busy writing.
        if (over || wants_messages_) {
            wants_messages_ = false;
            wake.swap(waker_);
        }
    }
    // Woken outside the lock: the task may run at once on another thread.
    if (wake) std::move(*wake).wake();
    return true;
}

void Outbox::mark(bool latest) {
    std::lock_guard lock(mu_);
    if (latest || !mark_) mark_ = queue_.size();
}

Outbox::Taken Outbox::take(std::string& into, bool to_mark, pollen::Context* cx) {
    std::lock_guard lock(mu_);
    if (closed_) return Taken::Closed;
    if (to_mark) {
        std::size_t n = std::min(mark_.value_or(0), queue_.size());
        mark_.reset();
        if (n == 0) return Taken::Nothing;
        into.append(queue_, 0, n);
        queue_.erase(0, n);
        return Taken::Some;
    }
    if (queue_.empty()) {
        if (cx) {
            if (!waker_ || !waker_->will_wake(cx->waker())) waker_.emplace(cx->waker());
            wants_messages_ = true;
        }
        return Taken::Nothing;
    }
    mark_.reset();
    if (into.empty()) into.swap(queue_);  // the two strings' storage takes turns
    else into.append(queue_), queue_.clear();
    return Taken::Some;
}

bool Outbox::poll_closed(pollen::Context& cx) {
    std::lock_guard lock(mu_);
    if (closed_) return true;
    if (!waker_ || !waker_->will_wake(cx.waker())) waker_.emplace(cx.waker());
    wants_messages_ = false;  // busy writing: messages wait for the next take
    return false;
}

bool Outbox::check(std::uint64_t pending, const OutputLimit& limit) {
    std::lock_guard lock(mu_);
    if (closed_) return true;
    if (!tracker_.over(pending + queue_.size(), limit)) return false;
    close_locked();
    return true;
}

std::size_t Outbox::queued() {
    std::lock_guard lock(mu_);
    return queue_.size();
}

void Outbox::close_locked() {
    closed_ = true;
    std::string().swap(queue_);  // the memory goes now, not when the task ends
}

// ---------------------------------------------------------------- PubSub

void PubSub::add(Registry& r, const std::string& name, Outbox& who) { r[name].push_back(&who); }

void PubSub::drop(Registry& r, const std::string& name, Outbox& who) {
    auto it = r.find(name);
    if (it == r.end()) return;
    auto& v = it->second;
    // Kept in subscription order, the order Redis delivers in.
    auto at = std::find(v.begin(), v.end(), &who);
    if (at != v.end()) v.erase(at);
    if (v.empty()) r.erase(it);
}

void PubSub::subscribe(Outbox& who, const std::string& channel) {
    std::lock_guard lock(mu_);
    add(channels_, channel, who);
    who.mark(false);
}

void PubSub::unsubscribe(Outbox& who, const std::string& channel) {
    std::lock_guard lock(mu_);
    drop(channels_, channel, who);
    who.mark(true);
}

void PubSub::psubscribe(Outbox& who, const std::string& pattern) {
    std::lock_guard lock(mu_);
    add(patterns_, pattern, who);
    who.mark(false);
}

void PubSub::punsubscribe(Outbox& who, const std::string& pattern) {
    std::lock_guard lock(mu_);
    drop(patterns_, pattern, who);
    who.mark(true);
}

void PubSub::remove(Outbox& who, const std::set<std::string>& channels, const std::vector<std::string>& patterns) {
    std::lock_guard lock(mu_);
    for (const auto& c : channels) drop(channels_, c, who);
    for (const auto& p : patterns) drop(patterns_, p, who);
}

namespace {
void append_len(std::string& out, std::size_t n) {
    out += '$';
    out += std::to_string(n);
    out += "\r\n";
}
}  // namespace

std::size_t PubSub::publish(std::string_view channel, std::string_view message) {
    const OutputLimit limit = limits_.get(OutputLimits::Class::Pubsub);
    std::size_t reached = 0;
    std::string head;  // everything before the message's bytes
    std::lock_guard lock(mu_);
    if (auto it = channels_.find(channel); it != channels_.end()) {
        head = "*3\r\n$7\r\nmessage\r\n";
        append_len(head, channel.size());
        head.append(channel).append("\r\n");
        append_len(head, message.size());
        for (Outbox* who : it->second) reached += who->push({head, message, "\r\n"}, limit);
    }
    for (auto& [pattern, subscribers] : patterns_) {
        if (!glob_match(pattern, channel)) continue;
        head = "*4\r\n$8\r\npmessage\r\n";
        append_len(head, pattern.size());
        head.append(pattern).append("\r\n");
        append_len(head, channel.size());
        head.append(channel).append("\r\n");
        append_len(head, message.size());
        for (Outbox* who : subscribers) reached += who->push({head, message, "\r\n"}, limit);
    }
    return reached;
}

std::vector<std::string> PubSub::channels(std::optional<std::string_view> pattern) {
    std::vector<std::string> out;
    {
        std::lock_guard lock(mu_);
        for (auto& [name, subscribers] : channels_)
            if (!pattern || glob_match(*pattern, name)) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t PubSub::numsub(std::string_view channel) {
    std::lock_guard lock(mu_);
    auto it = channels_.find(channel);
    return it == channels_.end() ? 0 : it->second.size();
}

std::size_t PubSub::numpat() {
    std::lock_guard lock(mu_);
    return patterns_.size();
}

}  // namespace mini_redis
