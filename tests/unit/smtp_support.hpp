#pragma once
// A real SMTP server on loopback for the mail tests (tests/smtp/server.py on Debian's
// python3-aiosmtpd) and the pieces to take a received message apart: MIME split, base64 and
// quoted-printable decoding, RFC 2047 subjects.

#include "support.hpp"

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace escprov::test {

inline const std::string k_smtp_user = "connector";
inline const std::string k_smtp_password = "s3cret-Pa55word-for-tests";

// Runs `command` through the shell, quietly; true when it exits 0.
bool shell_ok(const std::string& command);

// A python3 that can import aiosmtpd (Debian's package installs into /usr/bin/python3's path,
// which a pyenv or venv python3 earlier on PATH does not see), or "".
std::string python_with_aiosmtpd();

// Why the SMTP tests cannot run on this machine, or "" when they can (python3 with aiosmtpd and the
// openssl CLI, which ./setup.sh test installs).
std::string smtp_tools_missing();

std::string base64_decode(const std::string& text);
std::string quoted_printable_decode(const std::string& text);

struct Part {
    std::map<std::string, std::string> headers; // lower-case name -> unfolded value
    std::string body;
};

// Splits "headers CRLF CRLF body" and unfolds the headers.
Part parse_part(const std::string& raw);
// The value of `parameter` in a header such as `multipart/mixed; boundary="x"`.
std::string header_parameter(const std::string& value, const std::string& parameter);
// The parts of a multipart body between "--boundary" lines.
std::vector<Part> split_multipart(const Part& message);
// Decodes RFC 2047 "=?UTF-8?B?...?=" words, dropping the folding.
std::string decode_subject(const std::string& header);

enum class Mode { plain, starttls, implicit };

struct Received {
    nlohmann::json envelope;
    std::string raw;
};

// A self-signed certificate for localhost and 127.0.0.1, made with the openssl CLI.
class TestCertificate {
public:
    TestCertificate();
    bool ok() const { return m_ok; }
    fs::path cert() const { return m_dir / "cert.pem"; }
    fs::path key() const { return m_dir / "key.pem"; }

private:
    TempDir m_dir;
    bool m_ok = false;
};

// The server, started in `folder` (its spool, log and ready file live there) and stopped when this
// goes. With `with_auth`, AUTH with k_smtp_user / k_smtp_password is required.
class SmtpServer {
public:
    SmtpServer(const std::string& python, Mode mode, const fs::path& folder, const fs::path& cert, const fs::path& key,
               bool with_auth);
    ~SmtpServer();
    SmtpServer(const SmtpServer&) = delete;
    SmtpServer& operator=(const SmtpServer&) = delete;

    const std::string& error() const { return m_error; }
    std::string url(const std::string& scheme) const { return scheme + "://127.0.0.1:" + std::to_string(m_port); }
    std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }

    // Every message saved so far, in arrival order (a sender returns after the server's 250).
    std::vector<Received> received() const;

private:
    fs::path m_spool;
    int m_pid = -1;
    int m_port = 0;
    std::string m_error;
};

} // namespace escprov::test
