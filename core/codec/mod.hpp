#pragma once
/// Codecs (tokio-util's codec): Decoder / Encoder, framed reads and writes,
/// Sink, and the codecs pollen ships. Kept by hand; `make headers` checks
/// that every header of core/codec/ is listed here.

// The traits and the buffer they work on.
#include "error.hpp"
#include "bytes_mut.hpp"
#include "decoder.hpp"
#include "encoder.hpp"

// Sink: the writing side (futures-rs's Sink / SinkExt).
#include "sink.hpp"
#include "sink_ext.hpp"
#include "sink_send.hpp"
#include "sink_flush.hpp"

// Framing a byte stream.
#include "framed_read.hpp"
#include "framed_write.hpp"
#include "framed.hpp"

// The codecs.
#include "bytes_codec.hpp"
#include "lines_codec.hpp"
#include "length_delimited.hpp"
