#pragma once
/// codec::Encoder<E, Item>: turns frames into bytes, tokio-util's
/// `codec::Encoder<Item>`.
///
///     struct MyEncoder {
///         using Error = MyError;   // constructible from std::error_code
///         Result<void, MyError> encode(const Frame& item, codec::BytesMut& dst);
///     };
///
/// `encode` appends the bytes of `item` to `dst` (which may already hold
/// earlier frames not yet written), or returns Err and leaves `dst` as it
/// was, e.g. for a frame over the codec's maximum. An encoder may accept
/// several item types (overloads or a template): `Encoder<E, Item>` holds
/// for each. `Error` must be constructible from std::error_code: the
/// writer's I/O errors reach the caller as Error(ec). A type that is both a
/// Decoder and an Encoder (a codec, for Framed) has one `Error` type.
/// Plain objects, owned by the FramedWrite/Framed that uses them; one
/// thread at a time.

#include <concepts>
#include <system_error>
#include <utility>

#include "../result.hpp"
#include "bytes_mut.hpp"

namespace pollen::codec {

template <class E, class Item>
concept Encoder = requires(E& e, Item&& item, BytesMut& dst) {
    typename E::Error;
    requires std::constructible_from<typename E::Error, std::error_code>;
    { e.encode(std::forward<Item>(item), dst) } -> std::same_as<Result<void, typename E::Error>>;
};

}  // namespace pollen::codec
