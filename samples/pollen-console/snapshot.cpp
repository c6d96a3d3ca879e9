#include "snapshot.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace console {

namespace {

using json = nlohmann::json;

json parse_reply(const std::string& line, const char* type) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw std::runtime_error("not a console reply");
    if (j.value("v", 0) != 1)
        throw std::runtime_error("the program speaks console protocol version " + std::to_string(j.value("v", 0)) +
                                 "; this pollen-console speaks 1");
    if (j.contains("error")) throw std::runtime_error(j["error"].get<std::string>());
    if (j.value("type", "") != type) throw std::runtime_error(std::string("expected a ") + type + " reply");
    return j;
}

template <class T>
T get(const json& j, const char* key, T fallback = T()) {
    auto it = j.find(key);
    return it == j.end() || it->is_null() ? fallback : it->get<T>();
}

}  // namespace

Snapshot parse_snapshot(const std::string& line) {
    json j = parse_reply(line, "snapshot");
    try {
        Snapshot s;
        s.pid = get<int>(j, "pid");
        s.program = get<std::string>(j, "program");
        s.flavor = get<std::string>(j, "flavor");
        if (auto h = j.find("histogram"); h != j.end()) s.resolution_ns = get<std::int64_t>(*h, "resolution_ns", 128);
        const json& rt = j.at("runtime");
        s.workers = get<std::size_t>(rt, "workers");
        s.tasks_alive = get<std::size_t>(rt, "tasks_alive");
        s.tasks_spawned = get<std::uint64_t>(rt, "tasks_spawned");
        s.polls = get<std::uint64_t>(rt, "polls");
        s.steals = get<std::uint64_t>(rt, "steals");
        s.parks = get<std::uint64_t>(rt, "parks");
        s.global_queue_depth = get<std::size_t>(rt, "global_queue_depth");
        s.blocking_threads = get<std::size_t>(rt, "blocking_threads");
        s.blocking_queue_depth = get<std::size_t>(rt, "blocking_queue_depth");
        s.lost_waker_count = get<std::uint64_t>(rt, "lost_waker_count");
        s.poll_time_histogram = get<std::vector<std::uint64_t>>(rt, "poll_time_histogram");
        s.scheduled_delay_histogram = get<std::vector<std::uint64_t>>(rt, "scheduled_delay_histogram");
        for (const json& w : rt.value("per_worker", json::array()))
            s.per_worker.push_back({get<std::uint64_t>(w, "polls"), get<std::uint64_t>(w, "steals"),
                                    get<std::uint64_t>(w, "stolen_tasks"), get<std::uint64_t>(w, "parks")});
        for (const json& t : j.value("tasks", json::array())) {
            Task x;
            x.id = get<std::uint64_t>(t, "id");
            x.name = get<std::string>(t, "name");
            x.file = get<std::string>(t, "file");
            x.line = get<unsigned>(t, "line");
            x.state = get<std::string>(t, "state");
            x.has_stats = get<bool>(t, "has_stats");
            x.cancelling = get<bool>(t, "cancelling");
            x.polls = get<std::uint64_t>(t, "polls");
            x.wakes = get<std::uint64_t>(t, "wakes");
            x.self_wakes = get<std::uint64_t>(t, "self_wakes");
            x.waker_clones = get<std::uint64_t>(t, "waker_clones");
            x.waker_drops = get<std::uint64_t>(t, "waker_drops");
            x.busy_ns = get<std::int64_t>(t, "busy_ns");
            x.scheduled_ns = get<std::int64_t>(t, "scheduled_ns");
            x.idle_ns = get<std::int64_t>(t, "idle_ns");
            x.total_ns = get<std::int64_t>(t, "total_ns");
            x.running_for_ns = get<std::int64_t>(t, "running_for_ns", -1);
            x.since_wake_ns = get<std::int64_t>(t, "since_wake_ns", -1);
            x.since_poll_ns = get<std::int64_t>(t, "since_poll_ns", -1);
            x.poll_times = get<std::vector<std::uint64_t>>(t, "poll_times");
            s.tasks.push_back(std::move(x));
        }
        for (const json& w : j.value("warnings", json::array()))
            s.warnings.push_back({get<std::string>(w, "kind"), get<std::string>(w, "message"), get<std::uint64_t>(w, "task")});
        return s;
    } catch (const json::exception& e) {
        throw std::runtime_error(std::string("malformed snapshot: ") + e.what());
    }
}

std::string parse_dump(const std::string& line) { return parse_reply(line, "dump").value("text", ""); }

}  // namespace console
