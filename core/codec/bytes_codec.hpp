#pragma once
/// codec::BytesCodec: no framing, tokio-util's `BytesCodec`. Decoding
/// yields whatever bytes have arrived as one BytesMut (each read becomes
/// one item, so its size follows the reads, not the writer's messages);
/// encoding appends the bytes as they are. Nothing accumulates, so it needs
/// no maximum. A plain value; one thread at a time.

#include <optional>
#include <span>
#include <string_view>
#include <system_error>

#include "../result.hpp"
#include "bytes_mut.hpp"

namespace pollen::codec {

class BytesCodec {
public:
    using Item = BytesMut;
    using Error = std::error_code;

    Result<std::optional<BytesMut>, Error> decode(BytesMut& src) {
        if (src.empty()) return Ok(std::optional<BytesMut>());
        return Ok(std::optional<BytesMut>(src.split_to(src.size())));
    }

    Result<void, Error> encode(std::span<const std::byte> data, BytesMut& dst) {
        dst.extend_from_slice(data);
        return Ok();
    }
    Result<void, Error> encode(std::string_view data, BytesMut& dst) {
        dst.extend_from_slice(data);
        return Ok();
    }
};

}  // namespace pollen::codec
