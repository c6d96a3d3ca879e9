// Blocking list commands: the waiters' queues in the keyspace, their
// serving, and the future a blocked connection polls (see blocking.hpp).
#include "blocking.hpp"

#include <algorithm>
#include <chrono>

namespace mini_redis {

std::string list_pop(List& list, End end) {
    std::string v;
    if (end == End::Left) {
        v = std::move(list.front());
        list.pop_front();
    } else {
        v = std::move(list.back());
        list.pop_back();
    }
    return v;
}

void list_push(Keyspace& ks, Keyspace::iterator dest_it, const std::string& dest, std::string value, End end) {
    if (dest_it == ks.end()) dest_it = ks.insert(dest, std::make_unique<List>());
    List& list = *std::get<std::unique_ptr<List>>(dest_it->second.value);
    if (end == End::Left) list.push_front(std::move(value));
    else list.push_back(std::move(value));
    ks.touch(dest);
}

void Keyspace::block(const std::shared_ptr<Waiter>& w) {
    ++blocked_clients_;
    for (const std::string& key : w->keys) {
        auto& queue = blocking_[key];
        // BLPOP k k waits once on k.
        if (std::find(queue.begin(), queue.end(), w) == queue.end()) queue.push_back(w);
    }
}

bool Keyspace::unblock(Waiter& w) {
    if (w.served) return false;
    w.served = true;
    --blocked_clients_;
    for (const std::string& key : w.keys) {
        auto it = blocking_.find(key);
        if (it == blocking_.end()) continue;
        auto& queue = it->second;
        queue.erase(std::remove_if(queue.begin(), queue.end(), [&](const auto& p) { return p.get() == &w; }),
                    queue.end());
        if (queue.empty()) blocking_.erase(it);
    }
    return true;
}

void Keyspace::serve_blocked() {
    while (!ready_.empty()) {
        // Serving a BLMOVE may make its destination ready: that is the next round.
        std::vector<std::string> round;
        round.swap(ready_);
        for (const std::string& key : round) {
            ready_set_.erase(key);
            auto it = find(key);
            if (it == end() || it->second.type() != Type::List) continue;
            auto queue_it = blocking_.find(key);
            if (queue_it == blocking_.end()) continue;
            // Serving takes waiters off this queue: work on a copy.
            std::deque<std::shared_ptr<Waiter>> waiters = queue_it->second;
            // A reference, not `it`: a BLMOVE that creates its destination may rehash the map.
            List& list = *std::get<std::unique_ptr<List>>(it->second.value);
            for (const auto& w : waiters) {
                if (w->served) continue;
                resp::Value reply;
                if (!w->dest) {
                    std::string v = list_pop(list, w->from);
                    touch(key);
                    reply = resp::array({resp::bulk(key), resp::bulk(std::move(v))});
                } else {
                    auto dest_it = find(*w->dest);
                    if (dest_it != end() && dest_it->second.type() != Type::List) {
                        reply = resp::error("WRONGTYPE Operation against a key holding the wrong kind of value");
                    } else {
                        std::string v = list_pop(list, w->from);
                        touch(key);
                        reply = resp::bulk(v);
                        list_push(*this, dest_it, *w->dest, std::move(v), w->to);
                    }
                }
                unblock(*w);
                (void)std::move(w->reply).send(std::move(reply));
                if (list.empty()) {
                    erase(find(key));
                    break;
                }
            }
        }
    }
}

BlockedWait::BlockedWait(Db& db, std::shared_ptr<Waiter> waiter, pollen::oneshot::Receiver<resp::Value> rx,
                         std::int64_t timeout_ms)
    : db_(&db), waiter_(std::move(waiter)), rx_(std::move(rx)) {
    if (timeout_ms > 0) sleep_.emplace(pollen::time::sleep(std::chrono::milliseconds(timeout_ms)));
}

BlockedWait::~BlockedWait() {
    if (done_ || !waiter_) return;
    auto ks = db_->lock();
    ks->unblock(*waiter_);
}

pollen::Poll<resp::Value> BlockedWait::poll(pollen::Context& cx) {
    auto p = rx_.poll(cx);
    if (p.is_ready()) {
        done_ = true;
        auto r = p.take();
        return pollen::ready(r.is_ok() ? std::move(r).value() : resp::null_array());
    }
    if (!sleep_ || sleep_->poll(cx).is_pending()) return pollen::pending;
    done_ = true;
    {
        auto ks = db_->lock();
        if (ks->unblock(*waiter_)) return pollen::ready(resp::null_array());
    }
    // Served between the timer and the lock: the reply is in the channel.
    auto r = rx_.try_recv();
    return pollen::ready(r.is_ok() ? std::move(r).value() : resp::null_array());
}

}  // namespace mini_redis
