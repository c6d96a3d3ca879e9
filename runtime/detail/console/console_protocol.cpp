#include "console_protocol.hpp"

#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "../human_duration.hpp"

namespace pollen::detail {

namespace {

using json = nlohmann::json;

std::string who(const TaskSnapshot& t) {
    std::string s = "task " + std::to_string(t.id);
    if (!t.name.empty()) s += " \"" + t.name + "\"";
    s += std::string(" (") + t.spawned_at.file_name() + ":" + std::to_string(t.spawned_at.line()) + ")";
    return s;
}

// A poll in progress: started, and not ended since.
std::optional<std::chrono::nanoseconds> running_for(const TaskSnapshot& t, std::chrono::steady_clock::time_point now) {
    if (t.state != TaskState::Running || !t.last_poll_started) return std::nullopt;
    if (t.last_poll_ended && *t.last_poll_ended >= *t.last_poll_started) return std::nullopt;
    return now - *t.last_poll_started;
}

json histogram(const DurationHistogram& h) {
    json a = json::array();
    for (std::uint64_t c : h.counts) a.push_back(c);
    return a;
}

std::int64_t ago(const std::optional<TaskSnapshot::Instant>& t, std::chrono::steady_clock::time_point now) {
    return t ? std::int64_t((now - *t).count()) : -1;
}

std::string program_name() {
    std::ifstream comm("/proc/self/comm");
    std::string name;
    std::getline(comm, name);
    return name;
}

json snapshot(const ConsoleSources& src) {
    RuntimeMetrics m = src.metrics();
    std::vector<TaskSnapshot> tasks = src.tasks();
    auto now = std::chrono::steady_clock::now();

    json rt = {{"workers", m.workers},
               {"tasks_spawned", m.tasks_spawned},
               {"tasks_alive", m.tasks_alive},
               {"polls", m.polls},
               {"steals", m.steals},
               {"parks", m.parks},
               {"global_queue_depth", m.global_queue_depth},
               {"blocking_threads", m.blocking_threads},
               {"blocking_queue_depth", m.blocking_queue_depth},
               {"lost_waker_count", m.lost_waker_count},
               {"task_stats", m.task_stats},
               {"poll_time_histogram", histogram(m.poll_time_histogram)},
               {"scheduled_delay_histogram", histogram(m.scheduled_delay_histogram)}};
    json workers = json::array();
    for (const WorkerMetrics& w : m.per_worker)
        workers.push_back({{"polls", w.polls}, {"steals", w.steals}, {"stolen_tasks", w.stolen_tasks}, {"parks", w.parks}});
    rt["per_worker"] = std::move(workers);

    json ts = json::array();
    for (const TaskSnapshot& t : tasks) {
        auto running = running_for(t, now);
        ts.push_back({{"id", t.id},
                      {"name", t.name},
                      {"file", t.spawned_at.file_name()},
                      {"line", t.spawned_at.line()},
                      {"state", to_string(t.state)},
                      {"cancelling", t.cancelling},
                      {"has_stats", t.has_stats},
                      {"polls", t.polls},
                      {"wakes", t.wakes},
                      {"self_wakes", t.self_wakes},
                      {"waker_clones", t.waker_clones},
                      {"waker_drops", t.waker_drops},
                      {"busy_ns", t.busy.count()},
                      {"scheduled_ns", t.scheduled.count()},
                      {"idle_ns", t.idle.count()},
                      {"total_ns", t.total.count()},
                      {"running_for_ns", running ? running->count() : -1},
                      {"since_wake_ns", ago(t.last_wake, now)},
                      {"since_poll_ns", ago(t.last_poll_started, now)},
                      {"poll_times", histogram(t.poll_times)}});
    }
    json ws = json::array();
    for (const ConsoleWarning& w : console_warnings(m, tasks, now, src.thresholds))
        ws.push_back({{"kind", w.kind}, {"task", w.task}, {"message", w.message}});

    return {{"v", 1},
            {"type", "snapshot"},
            {"pid", ::getpid()},
            {"program", program_name()},
            {"flavor", src.flavor},
            {"histogram", {{"resolution_ns", DurationHistogram::kResolution.count()},
                           {"buckets", DurationHistogram::kBuckets}}},
            {"runtime", std::move(rt)},
            {"tasks", std::move(ts)},
            {"warnings", std::move(ws)}};
}

}  // namespace

std::vector<ConsoleWarning> console_warnings(const RuntimeMetrics& m, const std::vector<TaskSnapshot>& tasks,
                                             std::chrono::steady_clock::time_point now, const ConsoleThresholds& th) {
    std::vector<ConsoleWarning> out;
    if (m.lost_waker_count > 0)
        out.push_back({"lost_waker", 0,
                       std::to_string(m.lost_waker_count) +
                           " poll(s) left a task Pending with no waker alive and no wake: it can never run again "
                           "(the log names the spawn location)"});
    for (const TaskSnapshot& t : tasks) {
        if (t.state == TaskState::Done || !t.has_stats) continue;
        if (auto running = running_for(t, now); running && *running > th.long_poll)
            out.push_back({"long_poll", t.id,
                           who(t) + " has been in one poll for " + human_duration(*running) +
                               ": it never yields, or makes a blocking call; its worker runs nothing else"});
        if (t.polls >= th.self_wake_min_polls && t.self_wakes * 2 > t.polls)
            out.push_back({"self_wakes", t.id,
                           who(t) + " woke itself on " + std::to_string(t.self_wakes * 100 / t.polls) +
                               "% of its polls: a busy loop that holds its worker"});
        if (t.state == TaskState::Idle && t.polls > 0 && t.waker_clones == t.waker_drops && t.last_poll_ended &&
            now - *t.last_poll_ended > th.no_waker_idle && !(t.last_wake && *t.last_wake > *t.last_poll_ended))
            out.push_back({"no_waker", t.id,
                           who(t) + " is pending for " + human_duration(now - *t.last_poll_ended) +
                               " with no waker alive: nothing can wake it"});
    }
    return out;
}

std::string console_reply(std::string_view request, const ConsoleSources& src) {
    json reply;
    if (request == "snapshot") reply = snapshot(src);
    else if (request == "dump")
        reply = {{"v", 1}, {"type", "dump"}, {"text", src.dump ? src.dump() : std::string()}};
    else
        reply = {{"v", 1}, {"error", "unknown request (expected snapshot or dump)"}};
    // Task names are the program's own strings: replace bad UTF-8 rather than throw.
    return reply.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace pollen::detail
