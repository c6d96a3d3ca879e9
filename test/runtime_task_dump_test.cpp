// Task dumps (runtime/task_dump.hpp, core/trace.hpp): the tree of a task
// parked at a known await, what each kind of leaf reports, the signal that
// writes a dump, and dumps taken while a multi-thread runtime runs.
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <pollen.hpp>
#include <pollen/runtime/detail/dump_on_signal.hpp>
#include <pollen/runtime/detail/task/task_state.hpp>

using namespace pollen;
using namespace std::chrono_literals;

namespace {

/// The first frame (depth first) whose type starts with `prefix`.
const TraceFrame* find(const TraceFrame& f, std::string_view prefix) {
    if (std::string_view(f.type).starts_with(prefix)) return &f;
    for (const TraceFrame& c : f.children)
        if (const TraceFrame* hit = find(c, prefix)) return hit;
    return nullptr;
}

std::optional<TraceFrame> tree_of(const Runtime& rt, std::uint64_t id) {
    for (TaskTrace& t : rt.task_dump())
        if (t.id == id) return std::move(t.future);
    ADD_FAILURE() << "task " << id << " is not in the dump";
    return std::nullopt;
}

Runtime paused_runtime() { return Builder::new_current_thread().start_paused(true).build(); }

/// Runs the runtime for `d` of its clock: the sleep is made inside it, so its
/// deadline is on the runtime's clock (paused, or a simulation's), not on the
/// real one that moved on since the runtime was built.
void run_for(Runtime& rt, time::Duration d) {
    rt.block_on(future::lazy([] {}).then([d] { return time::sleep(d); }));
}

/// Lets every spawned task run until it parks (the paused clock then jumps 1ms).
void settle(Runtime& rt) { run_for(rt, 1ms); }

/// Spawns what `make()` builds inside the runtime, so that a sleep made
/// there takes its deadline from the runtime's paused clock.
template <class Make>
auto spawn_inside(Runtime& rt, Make make) {
    EnterGuard inside = rt.enter();
    return rt.spawn(make());
}

struct ParkedInSleep : Async<ParkedInSleep, void> {
    ParkedInSleep() {}
    static constexpr int kAwaitLine = __LINE__ + 5;
    POLLEN_FRAME;

    Poll<void> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_AWAIT(time::sleep(5s));
        POLLEN_END;
    }
};

struct NoDescribe {
    using Output = void;
    Poll<void> poll(Context&) { return pending; }
};

}  // namespace

TEST(TaskDump, ShortTypeNamesDropNamespacesAndCollapseDeepArguments) {
    EXPECT_EQ(short_type_name("pollen::Map<pollen::time::Sleep, main()::<lambda()> >"),
              "Map<Sleep, main()::<lambda()>>");
    EXPECT_EQ(short_type_name("a::A<b::B<c::C<int> >, d::D>"), "A<B<C<...>>, D>");
    EXPECT_EQ(short_type_name("a::A<b::B<c::C<int> >, d::D>", 1), "A<B<...>, D>");
    EXPECT_EQ(short_type_name("a::A<b::B<c::C<int> >, d::D>", 0), "A<B<C<int>>, D>");
    EXPECT_EQ(short_type_name("{anonymous}::Local"), "Local");
    EXPECT_EQ(short_type_name("(anonymous namespace)::Local"), "Local");
    EXPECT_EQ(type_name<time::Sleep>(), "Sleep");
    EXPECT_EQ(type_name<std::optional<std::string>>(), "optional<string>");
}

TEST(TaskDump, AnAsyncBodyShowsItsTypeTheLineOfItsAwaitAndTheSleepItWaitsFor) {
    Runtime rt = paused_runtime();
    auto h = rt.spawn(ParkedInSleep{});
    settle(rt);
    auto tree = tree_of(rt, h.id());
    ASSERT_TRUE(tree);
    EXPECT_EQ(tree->type, "ParkedInSleep");
    ASSERT_NE(tree->parked_at, nullptr);
    EXPECT_EQ(tree->parked_at->line, ParkedInSleep::kAwaitLine);
    EXPECT_TRUE(std::string_view(tree->parked_at->file).ends_with("runtime_task_dump_test.cpp"));
    EXPECT_EQ(std::string(tree->parked_at->expression), "time::sleep(5s)");
    ASSERT_EQ(tree->children.size(), 1u);
    EXPECT_EQ(tree->children[0].type, "Sleep");
    // The paused clock moved 1ms since the sleep started.
    EXPECT_EQ(tree->children[0].waits_on, "sleep until deadline in 4.999s");

    std::string text = rt.dump();
    std::string line = "runtime_task_dump_test.cpp:" + std::to_string(ParkedInSleep::kAwaitLine);
    EXPECT_NE(text.find("task " + std::to_string(h.id()) + " idle"), std::string::npos) << text;
    EXPECT_NE(text.find("    ParkedInSleep at "), std::string::npos) << text;
    EXPECT_NE(text.find(line + " awaiting `time::sleep(5s)`"), std::string::npos) << text;
    EXPECT_NE(text.find("      Sleep: sleep until deadline in 4.999s"), std::string::npos) << text;
}

TEST(TaskDump, ASimulationRuntimeDumpsItsTasksToo) {
    Runtime rt = Builder::new_simulation(7).build();
    auto h = rt.spawn(ParkedInSleep{});
    settle(rt);
    auto tree = tree_of(rt, h.id());
    ASSERT_TRUE(tree);
    EXPECT_EQ(tree->type, "ParkedInSleep");
    ASSERT_EQ(tree->children.size(), 1u);
    EXPECT_EQ(tree->children[0].waits_on, "sleep until deadline in 4.999s");
}

TEST(TaskDump, ATaskBlockedInAChannelRecvShowsTheChannel) {
    auto [tx, rx] = mpsc::channel<int>(4);
    auto [utx, urx] = mpsc::unbounded_channel<int>();
    Runtime rt = paused_runtime();
    auto h = rt.spawn(async_move(std::move(rx), [](auto& r) { return r.recv(); }));
    auto as_stream = rt.spawn(async_move(std::move(urx), [](auto& r) { return r.next(); }));
    settle(rt);
    auto stream_tree = tree_of(rt, as_stream.id());
    ASSERT_TRUE(stream_tree);
    const TraceFrame* receiver = find(*stream_tree, "UnboundedReceiver<int>");
    ASSERT_NE(receiver, nullptr) << stream_tree->to_string();
    EXPECT_TRUE(receiver->waits_on.ends_with("(0 queued, unbounded)")) << receiver->waits_on;
    auto tree = tree_of(rt, h.id());
    ASSERT_TRUE(tree);
    const TraceFrame* recv = find(*tree, "Recv<");
    ASSERT_NE(recv, nullptr) << tree->to_string();
    EXPECT_TRUE(recv->waits_on.starts_with("recv on mpsc channel 0x")) << recv->waits_on;
    EXPECT_NE(recv->waits_on.find("(0 queued, capacity 4)"), std::string::npos) << recv->waits_on;
}

TEST(TaskDump, ATaskBlockedOnALockShowsTheMutexAndItsQueue) {
    auto m = std::make_shared<Mutex<int>>(0);
    auto held = m->try_lock();
    ASSERT_TRUE(held.is_ok());
    Runtime rt = paused_runtime();
    auto h = rt.spawn(lock_owned(m));
    settle(rt);
    auto tree = tree_of(rt, h.id());
    ASSERT_TRUE(tree);
    EXPECT_EQ(tree->type, "OwnedMutexLock<int>");
    EXPECT_EQ(tree->waits_on, "lock Mutex " + trace::address(m.get()) + " (queued, 1 of 1 permits missing, 0 available)");
}

TEST(TaskDump, AJoinShowsBothBranches) {
    auto [tx, rx] = oneshot::channel<int>();
    Runtime rt = paused_runtime();
    auto h = spawn_inside(rt, [&] { return pollen::join(time::sleep(2s), std::move(rx)); });
    settle(rt);
    auto tree = tree_of(rt, h.id());
    ASSERT_TRUE(tree);
    EXPECT_TRUE(tree->type.starts_with("Join<")) << tree->type;
    ASSERT_EQ(tree->children.size(), 2u) << tree->to_string();
    EXPECT_EQ(tree->children[0].waits_on, "sleep until deadline in 1.999s");
    EXPECT_TRUE(tree->children[1].waits_on.starts_with("recv on oneshot channel 0x")) << tree->to_string();
    EXPECT_TRUE(tree->children[1].waits_on.ends_with("(nothing sent yet)")) << tree->to_string();
}

TEST(TaskDump, SelectOnShowsItsBranchesAndLoopFnItsCurrentBody) {
    auto [tx, rx] = oneshot::channel<int>();
    Runtime rt = paused_runtime();
    auto sel = spawn_inside(rt, [&] {
        return select_on(branch(time::sleep(4s), [] { return 0; }), branch(std::move(rx), [](auto) { return 1; }));
    });
    auto loop = rt.spawn(loop_fn(0, [](int i) {
        return time::sleep(6s).map([i]() -> LoopStep<int, void> {
            if (i == 1) return Break{};
            return Continue{i + 1};
        });
    }));
    settle(rt);
    auto sel_tree = tree_of(rt, sel.id());
    ASSERT_TRUE(sel_tree);
    ASSERT_EQ(sel_tree->children.size(), 2u) << sel_tree->to_string();
    EXPECT_EQ(sel_tree->children[0].waits_on, "sleep until deadline in 3.999s");
    EXPECT_TRUE(sel_tree->children[1].waits_on.ends_with("(nothing sent yet)")) << sel_tree->to_string();
    auto loop_tree = tree_of(rt, loop.id());
    ASSERT_TRUE(loop_tree);
    const TraceFrame* sleep = find(*loop_tree, "Sleep");
    ASSERT_NE(sleep, nullptr) << loop_tree->to_string();
    EXPECT_EQ(sleep->waits_on, "sleep until deadline in 5.999s");
}

TEST(TaskDump, ABoxedFutureShowsWhatItBoxes) {
    Runtime rt = paused_runtime();
    auto h = spawn_inside(rt, [] { return time::sleep(3s).map([] { return 1; }).boxed(); });
    settle(rt);
    auto tree = tree_of(rt, h.id());
    ASSERT_TRUE(tree);
    EXPECT_EQ(tree->type, "BoxFuture<int>");
    ASSERT_EQ(tree->children.size(), 1u);
    EXPECT_TRUE(tree->children[0].type.starts_with("Map<Sleep, ")) << tree->children[0].type;
    const TraceFrame* sleep = find(*tree, "Sleep");
    ASSERT_NE(sleep, nullptr);
    EXPECT_EQ(sleep->waits_on, "sleep until deadline in 2.999s");
}

TEST(TaskDump, AJoinHandleATimeoutAndAnOpaqueFutureEachSayWhatTheyKnow) {
    Runtime rt = paused_runtime();
    auto child = rt.spawn(NoDescribe{});
    std::uint64_t child_id = child.id();
    auto h = spawn_inside(rt, [&] { return time::timeout(10s, std::move(child)); });
    settle(rt);
    auto tree = tree_of(rt, h.id());
    ASSERT_TRUE(tree);
    EXPECT_TRUE(tree->type.starts_with("Timeout<JoinHandle<void>>")) << tree->type;
    EXPECT_EQ(tree->waits_on, "time limit expires in 9.999s");
    ASSERT_EQ(tree->children.size(), 1u);
    EXPECT_EQ(tree->children[0].waits_on, "join task " + std::to_string(child_id));

    auto opaque = tree_of(rt, child_id);
    ASSERT_TRUE(opaque);
    EXPECT_EQ(opaque->type, "NoDescribe");
    EXPECT_TRUE(opaque->opaque);
    EXPECT_NE(opaque->to_string().find("NoDescribe (opaque: no describe())"), std::string::npos);
}

TEST(TaskDump, ASocketReadShowsTheFdAndTheReadinessItWaitsFor) {
    Runtime rt = paused_runtime();
    // The streams register with the runtime's reactor: made inside it.
    auto pair = rt.block_on(future::lazy([] { return net::UnixStream::pair(); }));
    ASSERT_TRUE(pair.is_ok());
    auto [a, b] = std::move(pair).value();
    int fd = a.as_raw_fd();
    std::array<std::byte, 16> buf{};
    auto h = rt.spawn(async_move(std::move(a), [&buf](auto& s) { return io::read(s, buf); }));
    auto ready = rt.spawn(async_move(std::move(b), [](auto& s) { return s.ready(io::Interest::READABLE); }));
    settle(rt);
    auto tree = tree_of(rt, h.id());
    ASSERT_TRUE(tree);
    const TraceFrame* read = find(*tree, "Read<");
    ASSERT_NE(read, nullptr) << tree->to_string();
    EXPECT_EQ(read->waits_on, "read on UnixStream fd " + std::to_string(fd) + " (waits until readable)");
    auto ready_tree = tree_of(rt, ready.id());
    ASSERT_TRUE(ready_tree);
    const TraceFrame* leaf = find(*ready_tree, "ReadyFuture");
    ASSERT_NE(leaf, nullptr) << ready_tree->to_string();
    EXPECT_TRUE(leaf->waits_on.ends_with("readiness (waits until readable)")) << leaf->waits_on;
}

TEST(TaskDump, SemaphoreNotifyRwLockAndAFullChannelEachNameWhatTheyWaitOn) {
    auto sem = std::make_shared<Semaphore>(1);
    Notify notify;
    RwLock<int> lock(0);
    auto [tx, rx] = mpsc::channel<int>(1);
    ASSERT_TRUE(tx.try_send(1).is_ok());  // full
    auto reader = lock.try_read();
    ASSERT_TRUE(reader.is_ok());
    Runtime rt = paused_runtime();
    auto h = rt.spawn(pollen::join(acquire_many_owned(sem, 2), notify.notified(), lock.write(), tx.send(2)));
    settle(rt);
    auto tree = tree_of(rt, h.id());
    ASSERT_TRUE(tree);
    ASSERT_EQ(tree->children.size(), 4u) << tree->to_string();
    EXPECT_EQ(tree->children[0].waits_on,
              "acquire 2 permit(s) of Semaphore " + trace::address(sem.get()) +
                  " (queued, 1 of 2 permits missing, 0 available)");
    EXPECT_EQ(tree->children[1].waits_on, "notified() of Notify " + trace::address(&notify) + " (queued)");
    EXPECT_TRUE(tree->children[2].waits_on.starts_with("write lock RwLock " + trace::address(&lock) + " (queued, "))
        << tree->children[2].waits_on;
    EXPECT_TRUE(tree->children[3].waits_on.starts_with("send on mpsc channel 0x")) << tree->children[3].waits_on;
    EXPECT_TRUE(tree->children[3].waits_on.ends_with("(capacity 1, full, queued for a slot)"))
        << tree->children[3].waits_on;
}

TEST(TaskDump, TheTaskTakingTheDumpIsListedAsRunningWithoutATree) {
    Runtime rt = paused_runtime();
    auto parked = rt.spawn(ParkedInSleep{});
    std::vector<TaskTrace> seen;
    auto self = rt.spawn(future::lazy([&] { seen = Handle::current().task_dump(); }));
    settle(rt);
    ASSERT_EQ(seen.size(), 2u);
    for (const TaskTrace& t : seen) {
        if (t.id == self.id()) {
            EXPECT_EQ(t.state, TaskTrace::State::kRunning);
            EXPECT_FALSE(t.future);
        } else {
            EXPECT_EQ(t.id, parked.id());
            EXPECT_EQ(t.state, TaskTrace::State::kIdle);
            ASSERT_TRUE(t.future);
            EXPECT_EQ(t.future->type, "ParkedInSleep");
        }
    }
    // Dumping did not disturb the parked task: it still completes on time.
    run_for(rt, 5s);
    EXPECT_TRUE(parked.is_finished());
}

namespace {
/// What ProbeFuture's describe() does while a dump holds its task: what a
/// wake or an abort from another thread at that moment would do.
struct Probe {
    std::optional<Waker> waker;
    std::optional<AbortHandle> abort;
    bool wake_on_describe = false;
    bool abort_on_describe = false;
    bool destroyed = false;
    int polls = 0;
};
/// Pending at its first poll (keeping the waker), Ready at its second.
struct ProbeFuture {
    using Output = void;
    Probe* p;
    explicit ProbeFuture(Probe* probe) : p(probe) {}
    ProbeFuture(ProbeFuture&& other) noexcept : p(std::exchange(other.p, nullptr)) {}
    ~ProbeFuture() {
        if (p) p->destroyed = true;
    }
    Poll<void> poll(Context& cx) {
        if (++p->polls == 2) return ready();
        p->waker = cx.waker();
        return pending;
    }
    void describe(TraceVisitor& v) const {
        v.waits_on("probe");
        if (p->wake_on_describe) p->waker->wake_by_ref();
        if (p->abort_on_describe) p->abort->abort();
    }
};
}  // namespace

TEST(TaskDump, AWakeWhileTheDumpHoldsTheTaskIsNotLost) {
    Probe probe;
    {
        Runtime rt = paused_runtime();
        auto h = rt.spawn(ProbeFuture(&probe));
        settle(rt);
        ASSERT_EQ(probe.polls, 1);
        probe.wake_on_describe = true;
        auto tree = tree_of(rt, h.id());  // the wake finds the task held: the dumper resubmits it
        ASSERT_TRUE(tree);
        EXPECT_EQ(tree->waits_on, "probe");
        settle(rt);
        EXPECT_EQ(probe.polls, 2);
        EXPECT_TRUE(h.is_finished());
    }
    probe.waker.reset();
}

TEST(TaskDump, AnAbortWhileTheDumpHoldsTheTaskIsCarriedOutByTheDumper) {
    Probe probe;
    {
        Runtime rt = paused_runtime();
        auto h = rt.spawn(ProbeFuture(&probe));
        probe.abort = h.abort_handle();
        settle(rt);
        probe.abort_on_describe = true;
        (void)rt.task_dump();
        // Cancelled by the dump itself, before it returned: the future is gone.
        EXPECT_TRUE(probe.destroyed);
        EXPECT_TRUE(h.is_finished());
        auto r = rt.block_on(std::move(h));
        ASSERT_TRUE(r.is_err());
        EXPECT_TRUE(r.error().is_cancelled());
    }
    probe.waker.reset();
}

TEST(TaskDump, InspectingTakesOnlyAnIdleUnqueuedTask) {
    using namespace detail;
    using detail::task_state::kRefOne;
    constexpr Snapshot idle(2 * kRefOne | task_state::kJoinInterest);
    constexpr auto ok = task_state::to_inspecting(idle);
    static_assert(ok.decision == TransitionToInspecting::kSuccess);
    static_assert(ok.next.is_running() && ok.next.ref_count() == 3);
    static_assert(task_state::to_inspecting(idle.with(task_state::kNotified)).decision == TransitionToInspecting::kBusy);
    static_assert(task_state::to_inspecting(idle.with(task_state::kRunning)).decision == TransitionToInspecting::kBusy);
    static_assert(task_state::to_inspecting(idle.with(task_state::kComplete)).decision == TransitionToInspecting::kBusy);
    // Given back: a wake while inspected is the dumper's to submit, an abort its to cancel.
    static_assert(task_state::to_idle(ok.next).decision == TransitionToIdle::kOk);
    static_assert(task_state::to_idle(ok.next).next == idle);
    static_assert(task_state::to_idle(ok.next.with(task_state::kNotified)).decision == TransitionToIdle::kOkNotified);
    static_assert(task_state::to_idle(ok.next.with(task_state::kCancelled)).decision == TransitionToIdle::kCancelled);
    SUCCEED();
}

TEST(TaskDump, TheDumpSignalIsParsedFromItsNameOrNumber) {
    EXPECT_EQ(detail::parse_signal_name("USR1"), SIGUSR1);
    EXPECT_EQ(detail::parse_signal_name("SIGUSR2"), SIGUSR2);
    EXPECT_EQ(detail::parse_signal_name(std::to_string(SIGHUP)), SIGHUP);
    EXPECT_EQ(detail::parse_signal_name("USR3"), 0);
    EXPECT_EQ(detail::parse_signal_name("0"), 0);
    EXPECT_THROW(Builder::new_current_thread().dump_on_signal(SIGKILL).build(), std::invalid_argument);
}

TEST(TaskDump, TheSignalWritesTheDumpToTheFile) {
    std::string path = ::testing::TempDir() + "pollen_task_dump_" + std::to_string(::getpid()) + ".txt";
    std::remove(path.c_str());
    Runtime rt = Builder::new_current_thread().dump_on_signal(SIGUSR1, path).build();
    auto h = rt.spawn(ParkedInSleep{});
    rt.block_on(time::sleep(1ms));  // it parks
    ASSERT_EQ(std::raise(SIGUSR1), 0);
    auto read_all = [&] {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    };
    std::string text;
    // The listener task writes it once the reactor saw the delivery; real
    // time, so wait for the file rather than for a time.
    for (int i = 0; i < 20'000 && text.find("pollen: end of task dump") == std::string::npos; ++i) {
        rt.block_on(time::sleep(1ms));
        text = read_all();
    }
    std::remove(path.c_str());
    EXPECT_NE(text.find("pollen: task dump (signal " + std::to_string(SIGUSR1)), std::string::npos) << text;
    EXPECT_NE(text.find("task " + std::to_string(h.id()) + " idle"), std::string::npos) << text;
    EXPECT_NE(text.find("runtime_task_dump_test.cpp:" + std::to_string(ParkedInSleep::kAwaitLine)), std::string::npos)
        << text;
    EXPECT_NE(text.find("Sleep: sleep until deadline in "), std::string::npos) << text;
    EXPECT_NE(text.find("running spawned_at=runtime/detail/dump_on_signal.cpp"), std::string::npos) << text;
}

namespace {
/// Takes the lock, bumps the counter, passes a token through a channel, yields; `rounds` times.
struct Worker : Async<Worker, int> {
    std::shared_ptr<Mutex<int>> m;
    mpsc::Sender<int> tx;
    mpsc::Receiver<int> rx;
    int rounds;
    int i = 0;
    std::optional<OwnedMutexGuard<int>> guard;
    std::optional<int> token;
    POLLEN_FRAME;
    Worker(std::shared_ptr<Mutex<int>> mm, mpsc::Sender<int> t, mpsc::Receiver<int> r, int n)
        : m(std::move(mm)), tx(std::move(t)), rx(std::move(r)), rounds(n) {}

    Poll<int> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        for (i = 0; i < rounds; ++i) {
            POLLEN_LET(guard, lock_owned(m));
            ++**guard;
            guard.reset();
            POLLEN_LET(std::ignore, tx.send(i));  // the peer never closes
            POLLEN_LET(token, rx.recv());
            POLLEN_AWAIT(yield_now());
        }
        POLLEN_RETURN(rounds);
        POLLEN_END;
    }
};
}  // namespace

TEST(TaskDump, DumpsTakenWhileAMultiThreadRuntimeRunsLoseNoWakeAndRaceNothing) {
    constexpr int kWorkers = 6, kRounds = 2000;
    auto m = std::make_shared<Mutex<int>>(0);
    Runtime rt = Builder::new_multi_thread().worker_threads(2).build();
    std::vector<JoinHandle<int>> workers;
    for (int w = 0; w < kWorkers; ++w) {
        auto [tx, rx] = mpsc::channel<int>(1);
        workers.push_back(rt.spawn(Worker(m, std::move(tx), std::move(rx), kRounds)));
    }
    // Tasks that only wait, aborted while dumps run: the dumper may be the
    // one holding them when the abort comes, and must cancel them then.
    std::vector<JoinHandle<void>> sleepers;
    for (int s = 0; s < 20; ++s) sleepers.push_back(rt.spawn(time::sleep(1h)));
    // A sleeper parks after its first poll: from then on a dump reads its tree.
    auto sleeper_trees = [&] {
        int n = 0;
        for (const TaskTrace& t : rt.task_dump())
            if (t.future && t.future->type == "Sleep") ++n;
        return n;
    };
    while (sleeper_trees() == 0) std::this_thread::yield();

    std::atomic<bool> stop{false};
    std::atomic<int> dumps{0}, trees{0};
    std::thread dumper([&] {
        while (!stop.load()) {
            for (const TaskTrace& t : rt.task_dump()) trees += t.future ? 1 : 0;
            (void)rt.dump();
            ++dumps;
        }
    });
    while (dumps.load() < 3) std::this_thread::yield();
    for (auto& s : sleepers) s.abort();
    for (auto& s : sleepers) {
        auto r = rt.block_on(std::move(s));
        ASSERT_TRUE(r.is_err());
        EXPECT_TRUE(r.error().is_cancelled());
    }
    int total = 0;
    for (auto& w : workers) total += rt.block_on(std::move(w)).unwrap();
    stop = true;
    dumper.join();
    EXPECT_EQ(total, kWorkers * kRounds);
    EXPECT_EQ(*m->try_lock().unwrap(), kWorkers * kRounds);
    EXPECT_GE(dumps.load(), 3);
    EXPECT_GT(trees.load(), 0);
}
