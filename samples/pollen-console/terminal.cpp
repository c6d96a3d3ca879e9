#include "terminal.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

namespace console {

namespace {

void write_all(const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
        ssize_t n = ::write(STDOUT_FILENO, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += std::size_t(n);
    }
}

int read_byte(int wait_ms) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (::poll(&p, 1, wait_ms) <= 0) return -1;
    unsigned char c;
    return ::read(STDIN_FILENO, &c, 1) == 1 ? c : -1;
}

winsize size() {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0) ws = winsize{24, 80, 0, 0};
    return ws;
}

}  // namespace

Terminal::Terminal() {
    if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &saved_) != 0)
        throw std::runtime_error("the live view needs a terminal (use --once or --json otherwise)");
    termios raw = saved_;
    raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN);
    raw.c_iflag &= ~tcflag_t(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    write_all("\x1b[?1049h\x1b[?25l");  // alternate screen, hidden cursor
}

Terminal::~Terminal() {
    write_all("\x1b[0m\x1b[?25h\x1b[?1049l");
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
}

int Terminal::rows() const { return size().ws_row; }
int Terminal::cols() const { return size().ws_col; }

void Terminal::draw(const std::string& frame) {
    std::string out = "\x1b[H";
    std::size_t start = 0;
    while (start <= frame.size()) {
        std::size_t eol = frame.find('\n', start);
        out.append(frame, start, eol == std::string::npos ? std::string::npos : eol - start);
        out += "\x1b[K";  // clears what the previous frame left on the line
        if (eol == std::string::npos) break;
        out += "\r\n";
        start = eol + 1;
    }
    out += "\x1b[J";  // and below the last line
    write_all(out);
}

std::optional<Key> Terminal::read_key(std::chrono::milliseconds wait) {
    int c = read_byte(int(wait.count()));
    if (c < 0) return std::nullopt;
    if (c == '\r' || c == '\n') return Key{KeyKind::Enter};
    if (c == 127 || c == 8) return Key{KeyKind::Backspace};
    if (c == 3) return Key{KeyKind::Char, 'q'};  // ^C quits, as in top
    if (c != 0x1b) return Key{KeyKind::Char, char(c)};
    // An escape sequence arrives in one burst; a lone ESC is the Esc key.
    int c1 = read_byte(30);
    if (c1 != '[' && c1 != 'O') return Key{KeyKind::Escape};
    int c2 = read_byte(30);
    switch (c2) {
        case 'A': return Key{KeyKind::Up};
        case 'B': return Key{KeyKind::Down};
        case 'H': return Key{KeyKind::Home};
        case 'F': return Key{KeyKind::End};
        default: break;
    }
    if (c2 >= '0' && c2 <= '9') {
        int c3 = read_byte(30);
        if (c3 == '~') {
            if (c2 == '5') return Key{KeyKind::PageUp};
            if (c2 == '6') return Key{KeyKind::PageDown};
            if (c2 == '1' || c2 == '7') return Key{KeyKind::Home};
            if (c2 == '4' || c2 == '8') return Key{KeyKind::End};
        }
    }
    return std::nullopt;  // a key the view does not use
}

}  // namespace console
