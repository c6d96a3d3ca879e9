// The listener task of Builder::dump_on_signal (dump_on_signal.hpp).
#include "dump_on_signal.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "../../core/async_fn.hpp"
#include "../../reactor/signal.hpp"
#include "../spawn.hpp"
#include "scheduler.hpp"
#include "task_dump.hpp"

namespace pollen::detail {

namespace {

void write_dump(Scheduler& s, int signo, const std::string& path) {
    std::string text = "pollen: task dump (signal " + std::to_string(signo) + ", pid " +
                       std::to_string(::getpid()) + ")\n" + dump_text(s) + "pollen: end of task dump\n";
    std::FILE* f = path.empty() ? stderr : std::fopen(path.c_str(), "a");
    if (f == nullptr) {
        std::fprintf(stderr, "pollen: cannot open %s for the task dump\n", path.c_str());
        f = stderr;
    }
    std::fwrite(text.data(), 1, text.size(), f);
    std::fflush(f);
    if (f != stderr) std::fclose(f);
}

struct DumpOnSignal : Async<DumpOnSignal, void> {
    signal::Signal sig;
    Scheduler* sched;  // the task's own scheduler: it outlives every task
    std::string path;
    std::optional<Unit> delivery;
    POLLEN_FRAME_SIZED(32);

    DumpOnSignal(signal::Signal s, Scheduler* sch, std::string p) : sig(std::move(s)), sched(sch), path(std::move(p)) {}

    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (;;) {
            POLLEN_LET(delivery, sig.recv());
            if (!delivery) POLLEN_RETURN();  // the runtime's reactor is gone
            write_dump(*sched, sig.signo(), path);
        }
        POLLEN_END;
    }
};

}  // namespace

void start_dump_on_signal(const std::shared_ptr<Scheduler>& s, int signo, const std::string& path) {
    auto sig = signal::signal(signo);
    if (sig.is_err())
        throw std::invalid_argument("pollen: dump_on_signal: cannot listen to signal " + std::to_string(signo) +
                                    ": " + sig.error().message());
    // Detached: the JoinHandle goes at once; shutdown cancels the task.
    (void)spawn_on(*s, DumpOnSignal(std::move(sig).value(), s.get(), path), std::source_location::current());
}

int parse_signal_name(const std::string& name) {
    std::string_view n = name;
    if (n.starts_with("SIG")) n.remove_prefix(3);
    static constexpr std::pair<std::string_view, int> kNames[] = {
        {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"HUP", SIGHUP}, {"QUIT", SIGQUIT}, {"WINCH", SIGWINCH},
    };
    for (auto [text, number] : kNames)
        if (n == text) return number;
    char* end = nullptr;
    long v = std::strtol(name.c_str(), &end, 10);
    if (!name.empty() && *end == '\0' && v > 0 && v < NSIG) return int(v);
    return 0;
}

}  // namespace pollen::detail
