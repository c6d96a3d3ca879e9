// TraceRecorder: the ring of events and the Chrome trace-event JSON it writes.
#include "trace_recorder.hpp"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <system_error>
#include <unordered_set>

namespace pollen::detail {

namespace {

std::atomic<std::uint64_t> next_serial{1};

struct ThreadRegistration {
    std::uint64_t serial = 0;  // the recorder this thread last registered with
    std::uint32_t tid = 0;
};
thread_local ThreadRegistration tls_registration;

/// Copies `name` into `out`, cut at a character boundary (the JSON must stay UTF-8).
template <std::size_t N>
void copy_label(char (&out)[N], const std::string& name) {
    std::size_t n = std::min(name.size(), N - 1);
    if (n < name.size())
        while (n > 0 && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;
    std::memcpy(out, name.data(), n);
    out[n] = '\0';
}

void append_escaped(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
}

}  // namespace

TraceRecorder::TraceRecorder(std::string path, std::size_t capacity)
    : path_(std::move(path)),
      serial_(next_serial.fetch_add(1, std::memory_order_relaxed)),
      origin_ns_(stats_now_ns()),
      ring_(std::max<std::size_t>(capacity, 1)) {}

std::uint32_t TraceRecorder::this_thread_tid() {
    ThreadRegistration& r = tls_registration;
    if (r.serial == serial_) return r.tid;
    r.serial = serial_;
    r.tid = std::uint32_t(::syscall(SYS_gettid));
    char name[32] = {};
    if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) name[0] = '\0';
    std::lock_guard lock(mu_);
    bool known = std::any_of(threads_.begin(), threads_.end(), [&](const Thread& t) { return t.tid == r.tid; });
    // Bounded like the ring: blocking-pool threads come and go.
    if (!known && threads_.size() < 4096) threads_.push_back({r.tid, name});
    return r.tid;
}

void TraceRecorder::record(Event& e, const TaskStats* task) {
    e.tid = this_thread_tid();
    if (task) {
        e.task = task->id;
        e.file = task->location.file_name();
        e.line = task->location.line();
        copy_label(e.label, task->name());
    }
    std::lock_guard lock(mu_);
    ring_[recorded_ % ring_.size()] = e;
    ++recorded_;
}

namespace {
TraceRecorder::Event task_event(TraceRecorder::Kind kind, const char* category, std::int64_t start, std::int64_t end,
                                std::uint64_t flow) {
    TraceRecorder::Event e;
    e.kind = kind;
    e.category = category;
    e.start = start;
    e.end = end;
    e.flow = flow;
    return e;
}
}  // namespace

void TraceRecorder::spawn(const TaskStats& task, std::int64_t at, std::uint64_t flow) {
    Event e = task_event(Kind::kSpawn, "spawn", at, at, flow);
    record(e, &task);
}

void TraceRecorder::poll(const TaskStats& task, const char* category, std::int64_t start, std::int64_t end,
                         std::uint64_t flow_in) {
    Event e = task_event(Kind::kPoll, category, start, end, flow_in);
    record(e, &task);
}

void TraceRecorder::wake(const TaskStats& task, std::int64_t start, std::int64_t end, std::uint64_t flow_out,
                         bool self_wake) {
    Event e = task_event(Kind::kWake, "wake", start, end, flow_out);
    e.self_wake = self_wake;
    record(e, &task);
}

void TraceRecorder::timers_fired(std::size_t count, std::int64_t began) {
    Event e;
    e.kind = Kind::kTimers;
    e.start = began;
    e.end = stats_now_ns();
    e.count = std::uint32_t(std::min<std::size_t>(count, UINT32_MAX));
    e.category = "timer";
    record(e, nullptr);
}

std::string TraceRecorder::to_json() const {
    std::vector<Event> events;
    std::vector<Thread> threads;
    std::uint64_t recorded;
    {
        std::lock_guard lock(mu_);
        recorded = recorded_;
        std::size_t kept = std::size_t(std::min<std::uint64_t>(recorded_, ring_.size()));
        events.reserve(kept);
        for (std::size_t i = 0; i < kept; ++i) events.push_back(ring_[(recorded_ - kept + i) % ring_.size()]);
        threads = threads_;
    }
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.start < b.start; });
    // A flow is written only when both of its ends are kept: the ring may
    // have overwritten the wake of a poll it still holds.
    std::unordered_set<std::uint64_t> flows_out;
    for (const Event& e : events)
        if (e.flow != 0 && e.kind != Kind::kPoll) flows_out.insert(e.flow);

    const int pid = int(::getpid());
    std::string out;
    out.reserve(events.size() * 200 + 256);
    char buf[160];
    auto ts = [&](std::int64_t ns) {
        std::int64_t d = ns - origin_ns_;
        std::snprintf(buf, sizeof buf, "%s%lld.%03lld", d < 0 ? "-" : "", (long long)(std::llabs(d) / 1000),
                      (long long)(std::llabs(d) % 1000));
        return std::string(buf);
    };
    auto head = [&](const char* ph, const char* cat, std::int64_t at, std::uint32_t tid) {
        out += "{\"ph\":\"";
        out += ph;
        out += "\",\"cat\":\"";
        out += cat;
        out += "\",\"ts\":" + ts(at) + ",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid);
    };
    auto label = [&](const Event& e) {
        if (e.label[0] != '\0') append_escaped(out, e.label);
        else out += "task " + std::to_string(e.task);
    };
    auto flow = [&](const char* ph, std::uint64_t id, std::int64_t at, std::uint32_t tid) {
        out += ",\n";
        head(ph, "flow", at, tid);
        out += ",\"name\":\"flow\",\"id\":" + std::to_string(id);
        if (ph[0] == 'f') out += ",\"bp\":\"e\"";
        out += "}";
    };

    out += "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"pollen\",\"events_recorded\":" +
           std::to_string(recorded) + ",\"events_kept\":" + std::to_string(events.size()) +
           ",\"capacity\":" + std::to_string(ring_.size()) + "},\n\"traceEvents\":[\n";
    out += "{\"ph\":\"M\",\"pid\":" + std::to_string(pid) + ",\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"pollen\"}}";
    for (const Thread& t : threads) {
        out += ",\n{\"ph\":\"M\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(t.tid) +
               ",\"name\":\"thread_name\",\"args\":{\"name\":\"";
        append_escaped(out, t.name);
        out += "\"}}";
    }
    for (const Event& e : events) {
        out += ",\n";
        head("X", e.category, e.start, e.tid);
        std::snprintf(buf, sizeof buf, ",\"dur\":%lld.%03lld", (long long)((e.end - e.start) / 1000),
                      (long long)((e.end - e.start) % 1000));
        out += buf;
        out += ",\"name\":\"";
        switch (e.kind) {
            case Kind::kSpawn: out += "spawn "; label(e); break;
            case Kind::kPoll: label(e); break;
            case Kind::kWake: out += e.self_wake ? "self-wake " : "wake "; label(e); break;
            case Kind::kTimers: out += "timers fired"; break;
        }
        out += "\",\"args\":{";
        if (e.kind == Kind::kTimers) {
            out += "\"count\":" + std::to_string(e.count);
        } else {
            out += "\"task\":" + std::to_string(e.task);
            if (e.label[0] != '\0') {
                out += ",\"name\":\"";
                append_escaped(out, e.label);
                out += "\"";
            }
            out += ",\"spawned_at\":\"";
            append_escaped(out, e.file ? e.file : "?");
            out += ":" + std::to_string(e.line) + "\"";
        }
        out += "}}";
        if (e.flow != 0) {
            if (e.kind == Kind::kPoll) {
                if (flows_out.contains(e.flow)) flow("f", e.flow, e.start, e.tid);
            } else {
                flow("s", e.flow, e.start, e.tid);
            }
        }
    }
    out += "\n]}\n";
    return out;
}

void TraceRecorder::write(const std::string& path) const {
    std::string json = to_json();
    std::string tmp = path + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) throw std::system_error(errno, std::generic_category(), "pollen: cannot write the trace to " + tmp);
    bool ok = std::fwrite(json.data(), 1, json.size(), f) == json.size();
    ok = (std::fclose(f) == 0) && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        std::remove(tmp.c_str());
        throw std::system_error(err, std::generic_category(), "pollen: cannot write the trace to " + path);
    }
}

}  // namespace pollen::detail
