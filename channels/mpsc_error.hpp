#pragma once
/// The errors of pollen::mpsc (Tokio's `mpsc::error`): what a failed send
/// hands back, and why `try_send` / `try_recv` could not proceed.
///
/// SendError<T> carries the value that could not be sent (the receiver is
/// closed or gone), so nothing is lost; SendError<void> is the value-less
/// form `reserve()` returns. TrySendError<T> also says whether the channel was
/// merely Full, SendTimeoutError<T> whether the deadline passed first. Each
/// answers `is_closed()` and gives its value back with `into_inner()`.
/// Plain values: no waking, no thread affinity.

#include <utility>

namespace pollen::mpsc {

/// The channel is closed; `value` is the message that was not sent.
template <class T>
struct SendError {
    T value;
    /// The unsent message back (Rust's `SendError.0`).
    T into_inner() && { return std::move(value); }
};
template <>
struct SendError<void> {
    bool operator==(const SendError&) const = default;
};

enum class TrySendErrorKind { Full, Closed };

/// `try_send` failed: Full (no capacity now) or Closed; the value comes back.
template <class T>
struct TrySendError {
    TrySendErrorKind kind;
    T value;
    bool is_full() const { return kind == TrySendErrorKind::Full; }
    bool is_closed() const { return kind == TrySendErrorKind::Closed; }
    T into_inner() && { return std::move(value); }
};
template <>
struct TrySendError<void> {
    TrySendErrorKind kind;
    bool is_full() const { return kind == TrySendErrorKind::Full; }
    bool is_closed() const { return kind == TrySendErrorKind::Closed; }
    bool operator==(const TrySendError&) const = default;
};

enum class SendTimeoutErrorKind { Timeout, Closed };

/// `send_timeout` failed (Tokio's `SendTimeoutError`): Timeout (no capacity
/// came before the deadline) or Closed (the receiver closed or is gone); the
/// value comes back either way.
template <class T>
struct SendTimeoutError {
    SendTimeoutErrorKind kind;
    T value;
    bool is_timeout() const { return kind == SendTimeoutErrorKind::Timeout; }
    bool is_closed() const { return kind == SendTimeoutErrorKind::Closed; }
    T into_inner() && { return std::move(value); }
};

/// `try_recv` found nothing: Empty (values may still come) or Disconnected
/// (every sender is gone, or the receiver closed, and all was received).
enum class TryRecvError { Empty, Disconnected };

}  // namespace pollen::mpsc
