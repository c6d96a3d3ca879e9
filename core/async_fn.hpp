#pragma once
/// pollen::Async<Self, Output>: an `async fn` written top to bottom without
/// coroutines. Rust's compiler turns an `async fn` into an enum of "where it
/// was suspended" plus what lives across each `.await`; here the same state
/// machine is written by hand, but it reads as straight-line code:
///
///     // async fn exchange(addr: SocketAddr, msg: String) -> io::Result<String>
///     struct Exchange : pollen::Async<Exchange, io::Result<std::string>> {
///         net::SocketAddr addr;                         // the arguments...
///         std::string msg;
///         std::optional<net::TcpStream> stream;         // ...and what lives across an await
///         std::size_t n = 0;
///         std::array<std::byte, 4096> buf{};
///         std::string reply;
///         POLLEN_FRAME;                                 // the awaited child: the last member
///         Exchange(net::SocketAddr a, std::string m) : addr(a), msg(std::move(m)) {}
///
///         Poll<Output> poll(Context& cx) {
///             POLLEN_BEGIN(cx);
///             POLLEN_LET_TRY(stream, net::TcpStream::connect(addr));   // let stream = connect(addr).await?;
///             POLLEN_AWAIT_TRY(io::write_all(*stream, as_bytes(msg)));  // stream.write_all(msg).await?;
///             while (reply.size() < msg.size()) {
///                 POLLEN_LET_TRY(n, io::read(*stream, buf));           // let n = stream.read(&mut buf).await?;
///                 if (n == 0) break;
///                 reply.append(reinterpret_cast<const char*>(buf.data()), n);
///             }
///             POLLEN_RETURN(Ok(std::move(reply)));                      // Ok(reply)
///             POLLEN_END;
///         }
///     };
///
/// The forms (each a statement; `f` is any expression giving a future):
///
///     POLLEN_AWAIT(f)            f.await;        (a Result output must not be dropped: use a form below)
///     POLLEN_LET(x, f)           x = f.await;
///     POLLEN_AWAIT_TRY(f)        f.await?;
///     POLLEN_LET_TRY(x, f)       x = f.await?;
///     POLLEN_TRY(x, r)           x = r?;         (a Result `r` that needs no await)
///     POLLEN_RETURN(v)           return v;       (POLLEN_RETURN() for a void Output)
///
/// `?` returns early with the error, converted to the function's error type
/// when that type can be built from it (as Rust's `From`); otherwise the
/// compiler says so. `x` is anything assignable from the output (a member, an
/// `std::optional<T>` member for types without a default constructor,
/// `std::ignore`).
///
/// How it works (what the macros expand to): `POLLEN_BEGIN` opens a `switch`
/// over the line of the await the future is parked at; each await is
///
///     start the child in the frame's slot; remember this line;
///     case __LINE__: poll the child; if Pending, return Pending;
///                    take its output (the slot is empty again).
///
/// so a later poll jumps straight back into the await it left, inside loops and
/// branches as well (protothreads' and asio's `reenter` trick). `POLLEN_END`
/// closes the switch. The child lives in the inline slot of the frame that
/// `POLLEN_FRAME` declares (256 bytes; `POLLEN_FRAME_SIZED(n)` for n): no
/// allocation per await, no thread, no fiber. A child that does not fit is a
/// compile error naming both sizes: raise n or await `std::move(f).boxed()`.
///
/// The rules, each enforced by the compiler where C++ can:
/// - `POLLEN_FRAME` is the last member (checked at the first poll, in every
///   build): members are destroyed in reverse order, and the awaited child,
///   which may borrow the others (a lock future borrows a Mutex member), must
///   go first, as in Rust.
/// - What lives across an await is a member, as in the Rust enum. A local
///   variable with an initializer that is in scope at a later await is a
///   compile error ("jump to case label crosses initialization"); locals are
///   fine inside braces that close before the next await. Loop counters of a
///   loop that awaits are members too (`for (i = 0; i < 3; ++i)`). Never leave
///   a scalar local uninitialized: that one the compiler cannot catch.
/// - No await inside a `switch` of your own (its case would belong to your
///   switch): resuming there aborts with the file and line. Use if/else.
/// - An awaited lvalue (`POLLEN_AWAIT(member_future)`) is polled in place
///   through a pointer; anything else is moved into the slot. A lambda inside
///   an awaited expression is fine unless the output's type is the lambda's
///   own type (then await a named member instead).
///
/// Cancellation: destroying the future mid-way destroys the awaited child
/// first, then the other members in reverse order (as for any pollen future). Pinning: the future
/// must not move after its first poll (debug builds abort, as everywhere).
/// Polling again after Ready aborts, as Rust's "`async fn` resumed after
/// completion" panic does. `await_point()` says where the future is parked
/// (file, line and awaited expression); `describe` gives it, and the awaited
/// child's own tree, to task dumps (core/trace.hpp, Runtime::task_dump).
///
/// Thread safety: as any future, polled by one thread at a time (distinct
/// objects: safe; shared objects: unsafe).

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>

#include "future_ext.hpp"
#include "trace.hpp"

namespace pollen {

namespace detail {

template <class T>
using await_output_t = output_t<std::remove_cvref_t<T>>;

[[noreturn]] inline void async_abort(const char* why, const AwaitPoint* at) {
    if (at != nullptr) std::fprintf(stderr, "pollen: %s (at %s:%d, awaiting %s)\n", why, at->file, at->line, at->expression);
    else std::fprintf(stderr, "pollen: %s\n", why);
    std::abort();
}

/// Shows both sizes in the error when a child does not fit the slot.
template <std::size_t ChildBytes, std::size_t SlotBytes>
constexpr bool await_slot_fits() {
    static_assert(ChildBytes <= SlotBytes,
                  "pollen: the awaited future does not fit the async body's slot (sizes in the "
                  "template arguments: <child, slot>); raise pollen::Async's third argument or "
                  "await std::move(f).boxed()");
    return true;
}

template <class E, class G>
E convert_error(G&& error) {
    static_assert(std::is_constructible_v<E, G&&>,
                  "pollen: the ? form (POLLEN_*TRY) cannot convert this error to the async "
                  "function's error type: give that type a constructor from it, or map_err first");
    return E(std::forward<G>(error));
}

/// The state an async body keeps: where it is parked and the one child it awaits.
/// One tag per output type: checks that a resume point polls the child that was started there.
template <class O>
inline constexpr char output_tag = 0;

/// How the frame destroys and polls the child it holds, without knowing its type.
struct ChildOps {
    void (*destroy)(void* storage);
    const void* output_tag;
    void (*describe)(const void* storage, TraceVisitor& v);
};
template <class O>
struct TypedChildOps : ChildOps {
    Poll<O> (*poll)(void* storage, Context& cx);
};

/// The Output of the async function whose member function this is.
template <class SelfRef>
using async_output_t = typename std::remove_cvref_t<SelfRef>::Output;

template <std::size_t SlotBytes>
class AsyncFrame {
public:
    AsyncFrame() = default;
    AsyncFrame(AsyncFrame&& other) noexcept : pin_(std::move(other.pin_)) { other.require_unstarted(); }
    AsyncFrame& operator=(AsyncFrame&&) = delete;
    ~AsyncFrame() { drop_child(); }

    const AwaitPoint* await_point() const { return at_ == done_point() ? nullptr : at_; }
    bool is_terminated() const { return at_ == done_point(); }

    /// The await it is parked at and the child it awaits there (trace.hpp).
    void describe(TraceVisitor& v) const {
        v.parked_at(await_point());
        if (ops_ != nullptr) ops_->describe(storage_, v);
    }

    // ---- used by the macros only
    /// `self`: the future, `self_size`: its sizeof; the frame must be its last member.
    int enter(const void* self, std::size_t self_size) {
        pin_.on_poll(self);
        if (at_ == nullptr) require_last_member(self, self_size);
        else if (at_ == done_point()) async_abort("`async fn` resumed after completion", nullptr);
        return at_ == nullptr ? 0 : at_->line;
    }

    /// Starts the child `make()` gives (or points at the lvalue it names) and parks here.
    template <class Make>
    void start(Make&& make, const AwaitPoint* at) {
        using R = decltype(std::forward<Make>(make)());
        using F = std::remove_cvref_t<R>;
        static_assert(Future<F>, "pollen: POLLEN_AWAIT and friends take a future (a type with Output and poll(Context&))");
        using O = output_t<F>;
        if constexpr (std::is_lvalue_reference_v<R>) {
            static_assert(await_slot_fits<sizeof(F*), SlotBytes>());
            ::new (static_cast<void*>(storage_)) F*(&std::forward<Make>(make)());
            static constexpr TypedChildOps<O> ops{
                {[](void*) {}, &output_tag<O>,
                 [](const void* s, TraceVisitor& v) { v.child(**static_cast<F* const*>(s)); }},
                [](void* s, Context& cx) -> Poll<O> { return (*static_cast<F**>(s))->poll(cx); }};
            ops_ = &ops;
        } else {
            static_assert(await_slot_fits<sizeof(F), SlotBytes>());
            static_assert(alignof(F) <= alignof(std::max_align_t), "pollen: over-aligned futures cannot be awaited in place; box them");
            if constexpr (std::is_rvalue_reference_v<R>) ::new (static_cast<void*>(storage_)) F(std::move(make()));
            else ::new (static_cast<void*>(storage_)) F(std::forward<Make>(make)());  // no move: built in place
            static constexpr TypedChildOps<O> ops{
                {[](void* s) { static_cast<F*>(s)->~F(); }, &output_tag<O>,
                 [](const void* s, TraceVisitor& v) { v.child(*static_cast<const F*>(s)); }},
                [](void* s, Context& cx) -> Poll<O> { return static_cast<F*>(s)->poll(cx); }};
            ops_ = &ops;
        }
        at_ = at;
    }

    /// Polls the child; on Ready destroys it and gives the output.
    template <class O>
    Poll<O> poll_child(Context& cx) {
        if (ops_ == nullptr || ops_->output_tag != &output_tag<O>)
            async_abort("resumed at an await whose child is not running (an await inside a switch of your own?)", at_);
        auto p = static_cast<const TypedChildOps<O>*>(ops_)->poll(storage_, cx);
        if (p.is_ready()) drop_child();
        return p;
    }

    template <class Out, class... Args>
    Ready<Out> complete(Args&&... args) {
        drop_child();
        at_ = done_point();
        if constexpr (std::is_void_v<Out>) {
            static_assert(sizeof...(Args) == 0, "pollen: POLLEN_RETURN() takes no value in an async function whose Output is void");
            return {};
        } else {
            static_assert(sizeof...(Args) == 1, "pollen: POLLEN_RETURN(value) needs the value of the async function's Output");
            return Ready<Out>{Out(std::forward<Args>(args)...)};
        }
    }

    /// The body's end was reached (the code after POLLEN_END's switch).
    template <class Out>
    Poll<Out> ran_to_end() {
        if constexpr (std::is_void_v<Out>) return complete<Out>();
        else async_abort("an async body whose Output is not void reached POLLEN_END without POLLEN_RETURN", at_);
    }

    /// The `?` form's early return: Err(error) converted to the function's error type.
    template <class Out, class G>
    Ready<Out> fail(G&& error) {
        static_assert(is_result_v<Out>, "pollen: the ? form (POLLEN_*TRY) needs an async function whose Output is a Result");
        if constexpr (is_result_v<Out>) return complete<Out>(Err(convert_error<typename Out::error_type>(std::forward<G>(error))));
    }

    [[noreturn]] void bad_resume() const { async_abort("resumed at an unknown point (an await inside a switch of your own?)", at_); }

private:
    static const AwaitPoint* done_point() {
        static const AwaitPoint done{"", -1, ""};
        return &done;
    }
    /// The awaited child may borrow the other members (a lock future borrows a
    /// Mutex member), so it must be destroyed before them: members go in
    /// reverse order, so the frame must be the last one. It is aligned to
    /// max_align_t and a multiple of it in size, so as the last member it ends
    /// exactly where the future does.
    void require_last_member(const void* self, std::size_t self_size) const {
        const auto* end = static_cast<const std::byte*>(self) + self_size;
        if (reinterpret_cast<const std::byte*>(this + 1) != end)
            async_abort("POLLEN_FRAME must be the last member of an async function (its awaited child is "
                        "destroyed first, before the members it may borrow)", nullptr);
    }
    void require_unstarted() const {
        if (at_ != nullptr) pin_violation("an async function was moved after its first await");
    }
    void drop_child() {
        if (ops_ == nullptr) return;
        auto* ops = std::exchange(ops_, nullptr);
        ops->destroy(storage_);
    }

    alignas(std::max_align_t) std::byte storage_[SlotBytes];
    const ChildOps* ops_ = nullptr;
    const AwaitPoint* at_ = nullptr;  // nullptr: not started; done_point(): completed
    [[no_unique_address]] PinCheck pin_;
};

}  // namespace detail

/// Base of a future written with the resumable body (POLLEN_BEGIN ... POLLEN_END),
/// whose last member is POLLEN_FRAME.
template <class Self, class Out>
class Async : public FutureExt<Self> {
public:
    using Output = Out;

    /// Where the future is parked: the await it last suspended at; nullptr
    /// before its first await and once it completed.
    const AwaitPoint* await_point() const { return self().pollen_async_.await_point(); }
    /// True once it returned Ready (Rust's FusedFuture::is_terminated).
    bool is_terminated() const { return self().pollen_async_.is_terminated(); }
    /// For task dumps (trace.hpp): the await it is parked at, then the awaited child.
    void describe(TraceVisitor& v) const { self().pollen_async_.describe(v); }

protected:
    Async() = default;
    Async(Async&&) = default;
    Async(const Async&) = delete;

private:
    const Self& self() const { return static_cast<const Self&>(*this); }
};

}  // namespace pollen

// ---------------------------------------------------------------- the macros
// `pollen_cx_` and `pollen_poll_` are the only names they declare; the first
// lives before the switch, the second inside the braces after a case label,
// so neither is ever jumped over.

/// The frame: the last member of an async function (the awaited child and where
/// it is parked). POLLEN_FRAME_SIZED(n) for a slot of n bytes instead of 256.
#define POLLEN_FRAME POLLEN_FRAME_SIZED(256)
#define POLLEN_FRAME_SIZED(bytes) \
public:                           \
    ::pollen::detail::AsyncFrame<(bytes)> pollen_async_

#define POLLEN_BEGIN(cx)                                                  \
    ::pollen::Context& pollen_cx_ = (cx);                                 \
    (void)pollen_cx_;                                                     \
    switch (this->pollen_async_.enter(this, sizeof(*this))) {             \
    default:                                                    \
        this->pollen_async_.bad_resume();                       \
    case 0:

#define POLLEN_END \
    }              \
    return this->pollen_async_.template ran_to_end<::pollen::detail::async_output_t<decltype(*this)>>()

#define POLLEN_RETURN(...) \
    return this->pollen_async_.template complete<::pollen::detail::async_output_t<decltype(*this)>>(__VA_ARGS__)

#define POLLEN_DETAIL_AWAIT(ON_READY, ...)                                                                  \
    do {                                                                                                    \
        static constexpr ::pollen::AwaitPoint pollen_at_{__FILE__, __LINE__, #__VA_ARGS__};                 \
        this->pollen_async_.start([&]() -> decltype(auto) { return (__VA_ARGS__); }, &pollen_at_);         \
        [[fallthrough]];                                                                                    \
        case __LINE__: {                                                                                    \
            auto pollen_poll_ = this->pollen_async_.template poll_child<                                    \
                ::pollen::detail::await_output_t<decltype((__VA_ARGS__))>>(pollen_cx_);                     \
            if (pollen_poll_.is_pending()) return ::pollen::pending;                                        \
            ON_READY                                                                                        \
        }                                                                                                   \
    } while (0)

#define POLLEN_AWAIT(...)                                                                                   \
    POLLEN_DETAIL_AWAIT(                                                                                    \
        static_assert(!::pollen::is_result_v<typename decltype(pollen_poll_)::Output>,                      \
                      "pollen: POLLEN_AWAIT would drop a Result: use POLLEN_AWAIT_TRY (the ? form) or "    \
                      "POLLEN_LET to look at it");                                                         \
        (void)pollen_poll_;, __VA_ARGS__)

#define POLLEN_LET(dest, ...) POLLEN_DETAIL_AWAIT((dest) = pollen_poll_.take();, __VA_ARGS__)

#define POLLEN_DETAIL_TRY_ON(result, dest)                                                      \
    if ((result).is_err()) return this->pollen_async_.template fail<::pollen::detail::async_output_t<decltype(*this)>>( \
        std::move(result).error());          \
    (dest) = std::move(result).value();

#define POLLEN_LET_TRY(dest, ...)                                                               \
    POLLEN_DETAIL_AWAIT(                                                                        \
        static_assert(::pollen::is_result_v<typename decltype(pollen_poll_)::Output>,           \
                      "pollen: the ? form awaits a future whose Output is a Result");           \
        POLLEN_DETAIL_TRY_ON(pollen_poll_.value(), dest), __VA_ARGS__)

#define POLLEN_AWAIT_TRY(...) POLLEN_LET_TRY(std::ignore, __VA_ARGS__)

#define POLLEN_TRY(dest, ...)                                                                          \
    do {                                                                                               \
        auto&& pollen_result_ = (__VA_ARGS__);                                                         \
        static_assert(::pollen::is_result_v<std::remove_cvref_t<decltype(pollen_result_)>>,           \
                      "pollen: POLLEN_TRY takes a Result");                                            \
        if (pollen_result_.is_err())                                                                   \
            return this->pollen_async_.template fail<::pollen::detail::async_output_t<decltype(*this)>>( \
                std::move(pollen_result_).error());                                                    \
        (dest) = std::move(pollen_result_).value();                                                    \
    } while (0)
