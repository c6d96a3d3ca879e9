#pragma once
/// sink::Flush / sink::Close: futures-rs's `SinkExt::flush` and
/// `SinkExt::close`. Flush is Ready once `poll_flush` is: everything sent so
/// far has gone out. Close is Ready once `poll_close` is: flushed, then the
/// sink closed (for a framed writer: the write direction shut down). Either
/// is Ready with the sink's error, woken by whatever wakes the sink.
/// Destroying one mid-way leaves the unwritten rest in the sink. They borrow
/// the sink and may be moved at any time.

#include "../future_ext.hpp"
#include "sink.hpp"

namespace pollen::sink {

template <SinkBase Si>
class Flush : public FutureExt<Flush<Si>> {
public:
    using Output = Result<void, sink_error_t<Si>>;
    explicit Flush(Si& sink) : sink_(&sink) {}
    Poll<Output> poll(Context& cx) { return sink_->poll_flush(cx); }

private:
    Si* sink_;
};

template <SinkBase Si>
class Close : public FutureExt<Close<Si>> {
public:
    using Output = Result<void, sink_error_t<Si>>;
    explicit Close(Si& sink) : sink_(&sink) {}
    Poll<Output> poll(Context& cx) { return sink_->poll_close(cx); }

private:
    Si* sink_;
};

/// Free-function form of `sink.flush()`.
template <SinkBase Si>
Flush<Si> flush(Si& sink) { return Flush<Si>(sink); }
/// Free-function form of `sink.close()`.
template <SinkBase Si>
Close<Si> close(Si& sink) { return Close<Si>(sink); }

}  // namespace pollen::sink
