#pragma once
// The terminal for the live view: raw mode (termios: no echo, no line
// buffering, no signals from ^C), the alternate screen and a hidden cursor
// for as long as a Terminal lives, and keys read into Key values. Plain ANSI
// escape sequences, no curses.

#include <chrono>
#include <optional>
#include <string>

#include <termios.h>

namespace console {

enum class KeyKind { Char, Up, Down, PageUp, PageDown, Home, End, Enter, Escape, Backspace };

struct Key {
    KeyKind kind = KeyKind::Char;
    char ch = 0;  // for Char
};

class Terminal {
public:
    Terminal();  // throws std::runtime_error when stdin is not a terminal
    ~Terminal();
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    /// The next key, waiting at most `wait`; nullopt when none came.
    std::optional<Key> read_key(std::chrono::milliseconds wait);
    /// Rows and columns (24x80 when the terminal does not say).
    int rows() const;
    int cols() const;
    /// Replaces the screen with `frame` (lines separated by '\n').
    void draw(const std::string& frame);

private:
    termios saved_{};
};

}  // namespace console
