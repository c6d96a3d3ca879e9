// pipe_commands: the shell's `ls -l DIR | wc -l`, with pollen::process
// (Tokio's tokio::process), twice:
//
// 1. through this program: both children get pipes (`Stdio::piped()`), and
//    `io::copy` moves ls's stdout into wc's stdin, so the bytes pass through
//    here (where a real program could count, filter or tee them);
// 2. handed over: ls's stdout pipe becomes wc's stdin (`into_stdio()`, Tokio's
//    `try_into::<Stdio>()`), the kernel moves the bytes, and we only wait.
//
//     pipe_commands [DIR]        (DIR defaults to ".")
//
// Each child's exit wakes its task through the reactor (a pidfd per child):
// no thread waits for any of them. Exit status 0 when both pipelines agree.
#include <pollen.hpp>
#include <pollen/net/process/command.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using pollen::Context;
using pollen::Poll;
namespace io = pollen::io;
namespace process = pollen::process;
using process::Command;
using process::Stdio;

namespace {

/// wc's answer without the blanks around it.
std::string trimmed(const std::vector<std::byte>& b) {
    std::string s(reinterpret_cast<const char*>(b.data()), b.size());
    std::size_t first = s.find_first_not_of(" \n"), last = s.find_last_not_of(" \n");
    return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

/// async fn through_us(dir: &str) -> io::Result<String> {
///     let mut ls = Command::new("ls").args(["-l", dir]).stdout(Stdio::piped()).spawn()?;
///     let mut wc = Command::new("wc").arg("-l").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
///     let copied = io::copy(ls.stdout.as_mut().unwrap(), wc.stdin.as_mut().unwrap()).await?;
///     wc.stdin.as_mut().unwrap().shutdown().await?;     // wc reads end of file
///     let ls_status = ls.wait().await?;
///     let out = wc.wait_with_output().await?;
///     Ok(String::from_utf8(out.stdout))
/// }
struct ThroughUs : pollen::Async<ThroughUs, io::Result<std::string>> {
    std::string dir;
    std::optional<process::Child> ls, wc;
    std::uint64_t copied = 0;
    process::ExitStatus ls_status = process::ExitStatus::from_raw(0);
    process::Output counted;
    POLLEN_FRAME;
    explicit ThroughUs(std::string d) : dir(std::move(d)) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_TRY(ls, Command("ls").args({"-l", dir}).stdout(Stdio::piped()).spawn());
        POLLEN_TRY(wc, Command("wc").arg("-l").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn());
        POLLEN_LET_TRY(copied, io::copy(*ls->stdout, *wc->stdin));
        POLLEN_AWAIT_TRY(io::shutdown(*wc->stdin));
        POLLEN_LET_TRY(ls_status, ls->wait());
        POLLEN_LET_TRY(counted, std::move(*wc).wait_with_output());
        std::printf("through us:  copied %llu bytes; ls: %s, wc: %s\n", static_cast<unsigned long long>(copied),
                    ls_status.to_string().c_str(), counted.status.to_string().c_str());
        POLLEN_RETURN(pollen::Ok(trimmed(counted.stdout)));
        POLLEN_END;
    }
};

/// async fn handed_over(dir: &str) -> io::Result<String> {
///     let mut ls = Command::new("ls").args(["-l", dir]).stdout(Stdio::piped()).spawn()?;
///     let wc_stdin: Stdio = ls.stdout.take().unwrap().try_into()?;
///     let wc = Command::new("wc").arg("-l").stdin(wc_stdin).stdout(Stdio::piped()).spawn()?;
///     let (ls_status, out) = join!(ls.wait(), wc.wait_with_output());
///     ...
/// }
struct HandedOver : pollen::Async<HandedOver, io::Result<std::string>> {
    std::string dir;
    std::optional<process::Child> ls, wc;
    std::optional<Stdio> wc_stdin;
    std::optional<std::tuple<io::Result<process::ExitStatus>, io::Result<process::Output>>> done;
    POLLEN_FRAME;
    explicit HandedOver(std::string d) : dir(std::move(d)) {}

    Poll<Output> poll(Context& cx) {
        POLLEN_BEGIN(cx);
        POLLEN_TRY(ls, Command("ls").args({"-l", dir}).stdout(Stdio::piped()).spawn());
        POLLEN_TRY(wc_stdin, std::move(*std::exchange(ls->stdout, std::nullopt)).into_stdio());
        POLLEN_TRY(wc, Command("wc").arg("-l").stdin(std::move(*wc_stdin)).stdout(Stdio::piped()).spawn());
        POLLEN_LET(done, pollen::join(ls->wait(), std::move(*wc).wait_with_output()));
        {
            auto& [ls_status, counted] = *done;
            if (!ls_status) POLLEN_RETURN(pollen::Err(ls_status.error()));
            if (!counted) POLLEN_RETURN(pollen::Err(counted.error()));
            std::printf("handed over: ls: %s, wc: %s\n", ls_status->to_string().c_str(),
                        counted->status.to_string().c_str());
            POLLEN_RETURN(pollen::Ok(trimmed(counted->stdout)));
        }
        POLLEN_END;
    }
};

}  // namespace

int main(int argc, char** argv) {
    std::string dir = argc > 1 ? argv[1] : ".";
    pollen::Runtime rt = pollen::Runtime::builder().worker_threads(2).enable_all().build();

    auto first = rt.block_on(ThroughUs(dir));
    if (!first) {
        std::fprintf(stderr, "pipe_commands: %s\n", first.error().message().c_str());
        return 1;
    }
    std::printf("ls -l %s | wc -l (through io::copy): %s\n", dir.c_str(), first->c_str());

    auto second = rt.block_on(HandedOver(dir));
    if (!second) {
        std::fprintf(stderr, "pipe_commands: %s\n", second.error().message().c_str());
        return 1;
    }
    std::printf("ls -l %s | wc -l (pipe handed over): %s\n", dir.c_str(), second->c_str());
    return *first == *second ? 0 : 1;
}
