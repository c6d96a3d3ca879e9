#pragma once
/// Task dumps: where a future is parked, as a tree (what Tokio's unstable
/// task dump and the async-backtrace crate show).
///
/// A future may describe itself with one optional member,
///
///     void describe(pollen::TraceVisitor& v) const;
///
/// found by the `Describe` concept, never required. What it does there:
/// - a combinator hands over the child (or children) it is waiting on:
///   `v.child(inner_)` (Map: its inner future; Join: every unfinished one;
///   Then: the first or the second future, whichever is live);
/// - an async body (pollen::Async) says at which await it is parked,
///   `v.parked_at(point)` (file, line, the awaited expression), then hands over
///   the child it awaits;
/// - a leaf says what it waits for, `v.waits_on("sleep, deadline in 1.5s")`:
///   a timer's deadline, a socket's fd and readiness, a channel, a lock.
/// A future without `describe` shows as an opaque node: its type, nothing below.
///
/// `TraceVisitor::trace(f)` builds the tree of `f` (a TraceFrame); the
/// runtime's `Runtime::task_dump()` does it for every idle task (never for one
/// being polled: see runtime/task_dump.hpp for how that is made safe).
/// `describe` must only read: it runs while nothing polls the future, but it
/// may run on another thread than the one that polls it, so anything the
/// future shares with other threads (a channel's queue, a timer's "fired"
/// flag) is read the way those threads write it (atomics, or under its lock),
/// or left out.
///
/// Type names are the compiler's (no RTTI needed), shortened for reading:
/// namespaces are dropped (`pollen::time::Sleep` is `Sleep`, a lambda is
/// `<lambda()>`), and template arguments nested deeper than the tree needs
/// are collapsed to `<...>` (the children show them anyway).
///
/// Threads: a TraceVisitor is used by one thread; TraceFrames are values.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pollen {

/// An await site of an async body: where a future is parked. The strings are
/// literals (static storage), so a pointer to an AwaitPoint stays valid for
/// the whole program.
struct AwaitPoint {
    const char* file;
    int line;
    const char* expression;  // the awaited expression, as written
};

/// One future of a dumped tree.
struct TraceFrame {
    std::string type;                      ///< the future's type, shortened
    const AwaitPoint* parked_at = nullptr;  ///< an async body's current await
    std::string waits_on;                  ///< a leaf's wait ("" for a combinator)
    bool opaque = false;                   ///< no describe(): nothing known below
    std::vector<TraceFrame> children;      ///< what it waits on, in order

    /// The tree as indented lines, `indent` spaces before the first level.
    std::string to_string(int indent = 0) const;
};

class TraceVisitor;

/// A future that can describe where it is parked.
template <class F>
concept Describe = requires(const F& f, TraceVisitor& v) { f.describe(v); };

namespace detail {
/// The compiler's name of T, demangled (GCC and Clang spell it in __PRETTY_FUNCTION__).
template <class T>
constexpr std::string_view raw_type_name() {
    std::string_view p = __PRETTY_FUNCTION__;
#if defined(__clang__)
    constexpr std::string_view key = "T = ";
    auto start = p.find(key) + key.size();
    return p.substr(start, p.rfind(']') - start);
#else
    constexpr std::string_view key = "with T = ";
    auto start = p.find(key) + key.size();
    auto end = p.find(';', start);
    if (end == std::string_view::npos) end = p.rfind(']');
    return p.substr(start, end - start);
#endif
}
}  // namespace detail

/// `raw` without namespaces and with template arguments nested deeper than
/// `max_depth` levels collapsed to `<...>` (0: no collapsing), e.g.
/// "pollen::Map<pollen::time::Sleep, main()::<lambda()> >" -> "Map<Sleep, <lambda()>>".
std::string short_type_name(std::string_view raw, int max_depth = 2);

/// The shortened name of T (as TraceFrame::type shows it).
template <class T>
std::string type_name() {
    return short_type_name(detail::raw_type_name<T>());
}

class TraceVisitor {
public:
    /// The tree of `f`: its node, then what its describe() adds below.
    template <class F>
    static TraceFrame trace(const F& f) {
        TraceFrame root;
        TraceVisitor v(root);
        v.child(f);
        return root.children.empty() ? TraceFrame{} : std::move(root.children.front());
    }

    /// Adds `f` as a child of the future being described, and describes it.
    template <class F>
    void child(const F& f) {
        TraceFrame& node = open(type_name<F>());
        if (depth_ > kMaxDepth) {
            node.waits_on = "(deeper frames left out)";
            close();
            return;
        }
        if constexpr (Describe<F>) f.describe(*this);
        else node.opaque = true;
        close();
    }

    /// An async body's current await.
    void parked_at(const AwaitPoint* at) { current_->parked_at = at; }
    /// What a leaf waits for; a second call appends "; " and the text.
    void waits_on(std::string what);

private:
    static constexpr int kMaxDepth = 64;  // a pathological chain is cut, not walked for ever

    explicit TraceVisitor(TraceFrame& root) : current_(&root) {}
    TraceFrame& open(std::string type);
    void close();

    TraceFrame* current_;
    std::vector<TraceFrame*> stack_;
    int depth_ = 0;
};

namespace trace {
/// "read on TcpStream fd 7 (waits until readable)": what an I/O future on
/// `io` waits for; the fd when `io` has `as_raw_fd()` (sockets, files).
template <class Io>
std::string io_wait(const Io& io, std::string_view op, std::string_view readiness) {
    std::string s(op);
    s += " on ";
    s += type_name<Io>();
    if constexpr (requires { io.as_raw_fd(); }) s += " fd " + std::to_string(io.as_raw_fd());
    s += " (waits until ";
    s += readiness;
    s += ')';
    return s;
}
/// "in 1.500s" / "0.250s ago": a deadline relative to now, for leaves.
std::string relative_deadline(long long deadline_minus_now_ns);
/// "0x7ffd..." of an object a leaf waits on, so that waits on one object
/// (two tasks on one Mutex) can be matched.
std::string address(const void* p);
}  // namespace trace

}  // namespace pollen
