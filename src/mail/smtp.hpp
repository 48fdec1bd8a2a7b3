#pragma once
// Sends one message with one attachment over SMTP with libcurl (smtp:// with STARTTLS when the
// server offers it, or smtps://), as MIME: a short text body and the attachment's exact bytes.
// The password never comes from the command line: it is read from an environment variable or a
// file, and never written to any log or error message.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace escprov::mail {

struct Message {
    std::string from;            // "technical.services@example.com"
    std::vector<std::string> to; // one or more addresses
    std::string subject;
    std::string body;                 // plain text, UTF-8
    std::filesystem::path attachment; // sent as application/zip (or octet-stream) under its file name
};

struct SmtpOptions {
    std::string url;                                    // smtp://host:port or smtps://host:port
    std::string user;                                   // empty: no authentication
    std::optional<std::string> password_env;            // name of the environment variable holding the password
    std::optional<std::filesystem::path> password_file; // or a file holding it (first line)
    std::optional<std::filesystem::path> ca_file;       // trust this CA (a test server's self-signed cert)
    bool require_tls = true;                            // smtp:// must upgrade with STARTTLS
    long timeout_seconds = 60;
};

// Checks everything send() checks before connecting (the URL, addresses, subject, timeout, that the
// password source is given and readable) without reading the attachment or connecting, so that a
// command can refuse bad mail options before it does its work. Throws as send() does.
void check(const Message& message, const SmtpOptions& options);

// Sends `message`. Throws Error(usage) for bad options (no recipient, password source missing),
// Error(input) when the attachment cannot be read, Error(output) naming the server and libcurl's
// reason when sending fails (the password never appears in it).
void send(const Message& message, const SmtpOptions& options);

} // namespace escprov::mail
