#pragma once
// Errors in two tiers: expected failures travel as values (Result, Finding lists);
// fatal ones are a typed exception, Error, caught only in main() and mapped to an exit code.

#include <stdexcept>
#include <string>

namespace escprov {

// The documented exit codes. They appear in `escprov --help` and docs/exit-codes.md.
enum class ExitCode : int {
    ok = 0,           // ran and found nothing wrong
    findings = 1,     // ran and found problems (validation findings, a failed check)
    usage = 2,        // bad command line, or the input could not be read or checked at all
    interrupted = 130 // stopped by SIGINT/SIGTERM; no partial output is left behind
};

// What went wrong, coarsely, so callers decide on an exit code or a finding without parsing text.
// A rethrow that adds context keeps the kind: throw Error(e.kind(), "verb: " + e.what()).
enum class ErrorKind {
    usage,   // the command line is wrong
    input,   // an input file is missing, unreadable, damaged or malformed (not well-formed XML)
    foreign, // an input is readable but not what the command reads: not a zip, not solution XML
    unsafe,  // an input is hostile or unsafe: zip slip, links, encryption, duplicate names, a DOCTYPE
    limit,   // a configured safety limit was exceeded (zip bomb, nesting, token size)
    output,  // an output cannot be written (exists, no permission, disk full)
    memory,  // the machine ran out of memory while working
    remote,  // an org or service refused a request, or could not be reached after every retry
    internal // a bug in escprov
};

// The exit code an error of `kind` ends the command with: 2 when the command line or an input is
// the problem (nothing could be done with it), 1 when the command ran and failed while working.
constexpr ExitCode exit_code_for(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::usage:
    case ErrorKind::input:
    case ErrorKind::foreign:
    case ErrorKind::unsafe:
    case ErrorKind::limit: return ExitCode::usage;
    case ErrorKind::output:
    case ErrorKind::memory:
    case ErrorKind::remote:
    case ErrorKind::internal: return ExitCode::findings;
    }
    return ExitCode::findings;
}

// A fatal error. The message names the verb, the object and the cause, e.g.
// "unpack 'Contoso.zip': entry '../x' escapes the target folder".
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
    ErrorKind kind() const noexcept { return m_kind; }

private:
    ErrorKind m_kind;
};

// Thrown when a long operation notices that the user interrupted it.
class Interrupted : public std::runtime_error {
public:
    Interrupted() : std::runtime_error("interrupted") {}
};

[[noreturn]] inline void throw_input(const std::string& message)
{
    throw Error(ErrorKind::input, message);
}
[[noreturn]] inline void throw_foreign(const std::string& message)
{
    throw Error(ErrorKind::foreign, message);
}
[[noreturn]] inline void throw_unsafe(const std::string& message)
{
    throw Error(ErrorKind::unsafe, message);
}
[[noreturn]] inline void throw_output(const std::string& message)
{
    throw Error(ErrorKind::output, message);
}
[[noreturn]] inline void throw_limit(const std::string& message)
{
    throw Error(ErrorKind::limit, message);
}
[[noreturn]] inline void throw_usage(const std::string& message)
{
    throw Error(ErrorKind::usage, message);
}

} // namespace escprov
