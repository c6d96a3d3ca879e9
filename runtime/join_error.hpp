#pragma once
/// JoinError: why a task ended without producing its output (Tokio's
/// `JoinError`). Either it was cancelled (`JoinHandle::abort`, runtime
/// shutdown) or its poll threw (Rust: panicked); a panic keeps the exception,
/// which `rethrow()` throws again in the caller.

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

namespace pollen {

class JoinError {
public:
    static JoinError cancelled(std::uint64_t task_id) { return JoinError(task_id, nullptr); }
    static JoinError panic(std::uint64_t task_id, std::exception_ptr e) {
        return JoinError(task_id, std::move(e));
    }

    bool is_cancelled() const noexcept { return !panic_; }
    bool is_panic() const noexcept { return static_cast<bool>(panic_); }
    /// The id of the task that failed (the JoinHandle's `id()`).
    std::uint64_t id() const noexcept { return id_; }

    /// Throws the task's exception again; for a cancelled task throws
    /// std::runtime_error saying so (Rust: `resume_unwind(err.into_panic())`).
    [[noreturn]] void rethrow() const {
        if (panic_) std::rethrow_exception(panic_);
        throw std::runtime_error(what());
    }
    /// The exception of a panicked task (null when cancelled).
    std::exception_ptr into_panic() const noexcept { return panic_; }

    /// "task 7 was cancelled" / "task 7 panicked: <what()>".
    std::string what() const {
        std::string s = "task " + std::to_string(id_);
        if (!panic_) return s + " was cancelled";
        try {
            std::rethrow_exception(panic_);
        } catch (const std::exception& e) {
            return s + " panicked: " + e.what();
        } catch (...) {
            return s + " panicked";
        }
    }

    bool operator==(const JoinError& other) const noexcept {
        return id_ == other.id_ && panic_ == other.panic_;
    }

private:
    JoinError(std::uint64_t id, std::exception_ptr e) : id_(id), panic_(std::move(e)) {}
    std::uint64_t id_;
    std::exception_ptr panic_;
};

}  // namespace pollen
