#pragma once
/// codec::BytesMut: a growable byte buffer that is cheap to consume from the
/// front, the buffer of the `bytes` crate that tokio-util's codecs decode
/// from and encode into (the shared, reference-counted storage of Rust's
/// `BytesMut` is left out: one owner, plain heap storage).
///
/// The bytes live in one allocation, from an offset: `advance(n)` drops n
/// bytes from the front in O(1) (it only moves the offset), and `reserve`
/// reclaims the dropped front before it reallocates, so a decoder that
/// consumes frames as they arrive keeps using one allocation. `split_to(n)`
/// takes the first n bytes out as a BytesMut of their own (a copy of those n
/// bytes, or the whole storage when they are all the bytes and fill at least
/// half of it). Appending goes through `extend_from_slice`/`put_*`, or
/// through `spare_capacity_mut()` + `advance_mut(n)` for a read straight
/// into the buffer.
///
/// A plain value: copying copies the bytes; a moved-from BytesMut is empty.
/// No waking, nothing to cancel; one thread at a time.

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace pollen::codec {

class BytesMut {
public:
    BytesMut() = default;
    /// An empty buffer that can take `capacity` bytes before it reallocates.
    static BytesMut with_capacity(std::size_t capacity) {
        BytesMut b;
        if (capacity > 0) b.allocate(capacity);  // no allocation for an empty one
        return b;
    }
    /// A copy of `bytes`.
    explicit BytesMut(std::span<const std::byte> bytes) { extend_from_slice(bytes); }
    /// A copy of the characters' bytes.
    explicit BytesMut(std::string_view s) { extend_from_slice(s); }

    BytesMut(const BytesMut& other) : BytesMut(other.span()) {}
    BytesMut& operator=(const BytesMut& other) {
        if (this != &other) {
            clear();
            extend_from_slice(other.span());
        }
        return *this;
    }
    BytesMut(BytesMut&& other) noexcept
        : data_(std::move(other.data_)),
          cap_(std::exchange(other.cap_, 0)),
          head_(std::exchange(other.head_, 0)),
          len_(std::exchange(other.len_, 0)) {}
    BytesMut& operator=(BytesMut&& other) noexcept {
        if (this == &other) return *this;
        data_ = std::move(other.data_);
        cap_ = std::exchange(other.cap_, 0);
        head_ = std::exchange(other.head_, 0);
        len_ = std::exchange(other.len_, 0);
        return *this;
    }

    // ---- the bytes
    std::size_t size() const { return len_; }
    bool empty() const { return len_ == 0; }
    /// Bytes it can hold without reallocating, counted from its first byte.
    std::size_t capacity() const { return cap_ - head_; }
    std::byte* data() { return data_.get() + head_; }
    const std::byte* data() const { return data_.get() + head_; }
    std::span<std::byte> span() { return {data(), len_}; }
    std::span<const std::byte> span() const { return {data(), len_}; }
    operator std::span<const std::byte>() const { return span(); }
    std::byte* begin() { return data(); }
    std::byte* end() { return data() + len_; }
    const std::byte* begin() const { return data(); }
    const std::byte* end() const { return data() + len_; }
    std::byte& operator[](std::size_t i) { assert(i < len_); return data()[i]; }
    const std::byte& operator[](std::size_t i) const { assert(i < len_); return data()[i]; }
    /// The bytes seen as characters (no UTF-8 check).
    std::string_view as_string_view() const { return {reinterpret_cast<const char*>(data()), len_}; }

    friend bool operator==(const BytesMut& a, const BytesMut& b) {
        return a.len_ == b.len_ && (a.len_ == 0 || std::memcmp(a.data(), b.data(), a.len_) == 0);
    }

    // ---- consuming from the front
    /// Drops the first n bytes (n <= size()): O(1).
    void advance(std::size_t n) {
        assert(n <= len_ && "pollen::codec::BytesMut::advance past the end");
        head_ += n;
        len_ -= n;
        if (len_ == 0) head_ = 0;  // the whole storage is free again
    }
    /// Takes the first n bytes (n <= size()) out into a BytesMut of their own.
    BytesMut split_to(std::size_t n) {
        assert(n <= len_ && "pollen::codec::BytesMut::split_to past the end");
        // Handing over the storage is free, but would leave a small frame
        // holding a large allocation: only when the bytes fill half of it.
        if (n == len_ && n * 2 >= cap_) return split();
        BytesMut out = with_capacity(n);
        if (n > 0) std::memcpy(out.data_.get(), data(), n);
        out.len_ = n;
        advance(n);
        return out;
    }
    /// Takes every byte out, with the storage: O(1); this buffer is left
    /// empty without capacity.
    BytesMut split() { return std::move(*this); }
    void clear() { head_ = len_ = 0; }
    /// Keeps the first n bytes (no effect when n >= size()).
    void truncate(std::size_t n) { len_ = std::min(len_, n); }

    // ---- appending
    /// Makes room for at least `additional` more bytes after the last one:
    /// moves the bytes to the front when the consumed front is at least as
    /// large as they are (the move is then paid for by what was consumed),
    /// otherwise reallocates to at least twice the storage.
    void reserve(std::size_t additional) {
        if (cap_ - head_ - len_ >= additional) return;
        if (head_ > 0 && head_ >= len_ && cap_ - len_ >= additional) {
            std::memmove(data_.get(), data(), len_);
            head_ = 0;
            return;
        }
        allocate(std::max(len_ + additional, cap_ * 2));
    }
    void extend_from_slice(std::span<const std::byte> bytes) {
        if (bytes.empty()) return;
        reserve(bytes.size());
        std::memcpy(end(), bytes.data(), bytes.size());
        len_ += bytes.size();
    }
    void extend_from_slice(std::string_view s) { extend_from_slice(std::as_bytes(std::span(s.data(), s.size()))); }
    void put_u8(std::uint8_t v) {
        reserve(1);
        *end() = static_cast<std::byte>(v);
        ++len_;
    }
    /// The low `nbytes` (1..8) bytes of v, most significant first.
    void put_uint(std::uint64_t v, std::size_t nbytes) {
        assert(nbytes >= 1 && nbytes <= 8);
        reserve(nbytes);
        for (std::size_t i = 0; i < nbytes; ++i) end()[i] = static_cast<std::byte>(v >> (8 * (nbytes - 1 - i)));
        len_ += nbytes;
    }
    /// The low `nbytes` (1..8) bytes of v, least significant first.
    void put_uint_le(std::uint64_t v, std::size_t nbytes) {
        assert(nbytes >= 1 && nbytes <= 8);
        reserve(nbytes);
        for (std::size_t i = 0; i < nbytes; ++i) end()[i] = static_cast<std::byte>(v >> (8 * i));
        len_ += nbytes;
    }
    /// The room after the last byte (uninitialised), to be filled and then
    /// committed with advance_mut: a read goes straight into the buffer.
    std::span<std::byte> spare_capacity_mut() { return {end(), cap_ - head_ - len_}; }
    /// Counts the first n bytes of spare_capacity_mut() as written.
    void advance_mut(std::size_t n) {
        assert(n <= cap_ - head_ - len_ && "pollen::codec::BytesMut::advance_mut past the capacity");
        len_ += n;
    }

private:
    /// New storage of `capacity` bytes, with the bytes moved to its front.
    void allocate(std::size_t capacity) {
        auto grown = std::make_unique_for_overwrite<std::byte[]>(capacity);
        if (len_ > 0) std::memcpy(grown.get(), data(), len_);
        data_ = std::move(grown);
        cap_ = capacity;
        head_ = 0;
    }

    std::unique_ptr<std::byte[]> data_;
    std::size_t cap_ = 0;   // size of the allocation
    std::size_t head_ = 0;  // offset of the first byte
    std::size_t len_ = 0;
};

}  // namespace pollen::codec
