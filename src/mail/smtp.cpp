#include "mail/smtp.hpp"

#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <string_view>
#include <utility>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace escprov::mail {

namespace {

namespace fs = std::filesystem;

// ---- libcurl handles ----------------------------------------------------------------------------

struct EasyCleanup {
    void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct SlistCleanup {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
struct MimeCleanup {
    void operator()(curl_mime* mime) const noexcept { curl_mime_free(mime); }
};
struct UrlCleanup {
    void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
struct CurlStringCleanup {
    void operator()(char* text) const noexcept { curl_free(text); }
};

using Easy = std::unique_ptr<CURL, EasyCleanup>;
using Mime = std::unique_ptr<curl_mime, MimeCleanup>;
using Url = std::unique_ptr<CURLU, UrlCleanup>;
using CurlString = std::unique_ptr<char, CurlStringCleanup>;

// A curl_slist that owns its nodes; append() keeps ownership when curl_slist_append fails.
class HeaderList {
public:
    void append(const std::string& line)
    {
        curl_slist* grown = curl_slist_append(m_list.get(), line.c_str());
        if (grown == nullptr) {
            throw std::bad_alloc();
        }
        (void)m_list.release(); // the old head is now part of `grown`
        m_list.reset(grown);
    }
    curl_slist* get() const noexcept { return m_list.get(); }

private:
    std::unique_ptr<curl_slist, SlistCleanup> m_list;
};

// Throws Error(output) for a failed curl_easy_setopt: it fails only for an option this libcurl was
// built without (e.g. no TLS), which makes sending impossible.
template <typename Value> void set_option(CURL* handle, CURLoption option, Value value, const std::string& server)
{
    CURLcode code = curl_easy_setopt(handle, option, value);
    if (code != CURLE_OK) {
        throw_output("send mail via '" + server + "': libcurl refused an option: " + curl_easy_strerror(code));
    }
}

void check_mime(CURLcode code, const std::string& what)
{
    if (code == CURLE_OUT_OF_MEMORY) {
        throw std::bad_alloc();
    }
    if (code != CURLE_OK) {
        throw Error(ErrorKind::internal, "build mail: " + what + ": " + curl_easy_strerror(code));
    }
}

// ---- the server and the password ----------------------------------------------------------------

struct Server {
    std::string display; // scheme://host:port, safe to print (no user information)
    bool implicit_tls = false;
};

// Parses the SMTP URL. Throws Error(usage) for another scheme or a URL carrying credentials: the
// password must not come from the command line, and a URL is part of it.
Server parse_server(const std::string& text)
{
    Url url(curl_url());
    if (!url) {
        throw std::bad_alloc();
    }
    if (curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
        // Not echoed: a malformed URL may still carry a password.
        throw_usage("send mail: the SMTP URL is not a valid smtp:// or smtps:// URL");
    }
    auto part = [&](CURLUPart which) -> std::string {
        char* value = nullptr;
        if (curl_url_get(url.get(), which, &value, 0) != CURLUE_OK || value == nullptr) {
            return {};
        }
        CurlString owned(value);
        return owned.get();
    };
    std::string scheme = part(CURLUPART_SCHEME);
    std::string host = part(CURLUPART_HOST);
    if (scheme != "smtp" && scheme != "smtps") {
        throw_usage("send mail: the SMTP URL must start with smtp:// or smtps://, not '" + scheme + "://'");
    }
    if (!part(CURLUPART_USER).empty() || !part(CURLUPART_PASSWORD).empty()) {
        throw_usage("send mail: the SMTP URL must not hold a user or password; give the user as an option and the "
                    "password through an environment variable or a file");
    }
    Server server;
    std::string port = part(CURLUPART_PORT);
    server.display = scheme + "://" + host + (port.empty() ? "" : ":" + port);
    server.implicit_tls = scheme == "smtps";
    return server;
}

// The password from the environment variable or the file's first line; empty without a user.
// Throws Error(usage) when the source is missing, ambiguous, unset or empty.
std::string read_password(const SmtpOptions& options)
{
    if (options.user.empty()) {
        if (options.password_env || options.password_file) {
            throw_usage("send mail: a password source was given without a user name");
        }
        return {};
    }
    if (options.password_env && options.password_file) {
        throw_usage("send mail: give the password through an environment variable or a file, not both");
    }
    std::string password;
    if (options.password_env) {
        const char* value = std::getenv(options.password_env->c_str());
        if (value == nullptr) {
            throw_usage("send mail: the password variable '" + *options.password_env + "' is not set");
        }
        password = value;
    } else if (options.password_file) {
        std::ifstream file(*options.password_file, std::ios::binary);
        if (!file) {
            throw_usage("send mail: cannot read the password file '" + options.password_file->string() + "'");
        }
        std::getline(file, password);
        if (!password.empty() && password.back() == '\r') {
            password.pop_back();
        }
    } else {
        throw_usage("send mail: user '" + options.user +
                    "' needs a password from an environment variable or a file (never the command line)");
    }
    if (password.empty()) {
        throw_usage("send mail: the password for user '" + options.user + "' is empty");
    }
    return password;
}

// ---- headers ------------------------------------------------------------------------------------

// Throws Error(usage) when a header value could inject further headers or SMTP commands.
void check_header_value(const std::string& value, const std::string& what)
{
    if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos) {
        throw_usage("send mail: the " + what + " must not contain line breaks");
    }
}

// Throws Error(usage) for an address that is empty or could break out of "<...>".
void check_address(const std::string& address, const std::string& what)
{
    check_header_value(address, what);
    if (address.empty() || address.find_first_of("<>, \t") != std::string::npos ||
        address.find('@') == std::string::npos) {
        throw_usage("send mail: the " + what + " '" + address + "' is not a plain mail address");
    }
}

std::string base64(std::string_view bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(written));
    return out;
}

// The subject as it goes into the header: as is when it is printable ASCII, otherwise as RFC 2047
// UTF-8 base64 encoded words, each at most 75 characters and never splitting a UTF-8 sequence.
std::string encode_subject(const std::string& subject)
{
    bool plain = true;
    for (unsigned char c : subject) {
        if (c >= 0x80 || (c < 0x20 && c != '\t') || c == 0x7f) {
            plain = false;
        }
    }
    // A literal "=?" could be read as an encoded word by the recipient's client.
    if (plain && subject.find("=?") == std::string::npos) {
        return subject;
    }
    constexpr size_t k_max_chunk = 45; // 45 bytes -> 60 base64 characters + 12 of framing <= 75
    std::string encoded;
    size_t start = 0;
    while (start < subject.size()) {
        size_t end = std::min(start + k_max_chunk, subject.size());
        while (end < subject.size() && end > start &&
               (static_cast<unsigned char>(subject[end]) & 0xC0) == 0x80) { // a continuation byte
            --end;
        }
        if (!encoded.empty()) {
            encoded += "\r\n "; // folded: each encoded word on its own line
        }
        encoded += "=?UTF-8?B?" + base64(std::string_view(subject).substr(start, end - start)) + "?=";
        start = end;
    }
    return encoded;
}

// RFC 5322 date in UTC, with English names whatever the locale.
std::string rfc5322_date(std::time_t now)
{
    static constexpr std::array<const char*, 7> k_days = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::array<char, 64> text{};
    std::snprintf(text.data(), text.size(), "%s, %02d %s %04d %02d:%02d:%02d +0000",
                  k_days.at(static_cast<size_t>(utc.tm_wday)), utc.tm_mday,
                  k_months.at(static_cast<size_t>(utc.tm_mon)), utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                  utc.tm_sec);
    return text.data();
}

// A unique Message-ID in the sender's domain: 128 random bits and the time.
std::string message_id(const std::string& from, std::time_t now)
{
    std::array<unsigned char, 16> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
        throw Error(ErrorKind::internal, "build mail: no random bytes for the Message-ID");
    }
    static constexpr std::string_view k_hex = "0123456789abcdef";
    std::string id = std::to_string(now) + ".";
    for (unsigned char byte : random) {
        id += k_hex[byte >> 4];
        id += k_hex[byte & 0x0f];
    }
    return "<" + id + "@" + from.substr(from.find('@') + 1) + ">";
}

std::string media_type(const fs::path& attachment)
{
    return attachment.extension() == ".zip" ? "application/zip" : "application/octet-stream";
}

// Removes every occurrence of `secret` from `text` (libcurl's or the server's words could echo it).
std::string redact(std::string text, const std::string& secret)
{
    if (secret.empty()) {
        return text;
    }
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
        text.replace(at, secret.size(), "***");
    }
    return text;
}

// Stops the transfer when the user interrupts; no exception may cross libcurl, so it only returns
// non-zero and send() throws Interrupted afterwards.
int on_progress(void* /*unused*/, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/, curl_off_t /*ultotal*/,
                curl_off_t /*ulnow*/) noexcept
{
    return interrupted() ? 1 : 0;
}

} // namespace

namespace {

// The checks both check() and send() make; returns the server and the password.
std::pair<Server, std::string> checked(const Message& message, const SmtpOptions& options)
{
    Server server = parse_server(options.url);
    check_address(message.from, "sender");
    if (message.to.empty()) {
        throw_usage("send mail: no recipient given");
    }
    for (const auto& to : message.to) {
        check_address(to, "recipient");
    }
    check_header_value(message.subject, "subject");
    if (options.timeout_seconds <= 0) {
        throw_usage("send mail: the timeout must be a positive number of seconds");
    }
    return {server, read_password(options)};
}

} // namespace

void check(const Message& message, const SmtpOptions& options)
{
    (void)checked(message, options);
}

void send(const Message& message, const SmtpOptions& options)
{
    // ---- options: checked before anything is read or sent
    auto [server, password] = checked(message, options);

    std::error_code ec;
    if (!fs::is_regular_file(message.attachment, ec) || !std::ifstream(message.attachment, std::ios::binary)) {
        throw_input("send mail: cannot read the attachment '" + message.attachment.string() + "'");
    }

    Easy easy(curl_easy_init());
    if (!easy) {
        throw Error(ErrorKind::internal, "send mail: libcurl could not start a session");
    }
    CURL* curl = easy.get();
    const std::string& where = server.display;

    // ---- the message: headers, then a text part and the attachment (base64 by libcurl)
    std::time_t now = std::time(nullptr);
    std::string to_header = "To: ";
    for (size_t i = 0; i < message.to.size(); ++i) {
        to_header += (i == 0 ? "" : ", ") + message.to[i];
    }
    HeaderList headers;
    headers.append("Date: " + rfc5322_date(now));
    headers.append("From: " + message.from);
    headers.append(to_header);
    headers.append("Subject: " + encode_subject(message.subject));
    headers.append("Message-ID: " + message_id(message.from, now));

    Mime mime(curl_mime_init(curl));
    if (!mime) {
        throw std::bad_alloc();
    }
    curl_mimepart* text = curl_mime_addpart(mime.get());
    curl_mimepart* file = curl_mime_addpart(mime.get());
    if (text == nullptr || file == nullptr) {
        throw std::bad_alloc();
    }
    check_mime(curl_mime_data(text, message.body.data(), message.body.size()), "the text body");
    check_mime(curl_mime_type(text, "text/plain; charset=UTF-8"), "the text body's type");
    check_mime(curl_mime_encoder(text, "quoted-printable"), "the text body's encoding");
    check_mime(curl_mime_filedata(file, message.attachment.c_str()), "the attachment");
    check_mime(curl_mime_filename(file, message.attachment.filename().c_str()), "the attachment's name");
    check_mime(curl_mime_type(file, media_type(message.attachment).c_str()), "the attachment's type");
    check_mime(curl_mime_encoder(file, "base64"), "the attachment's encoding");

    HeaderList recipients;
    for (const auto& to : message.to) {
        recipients.append("<" + to + ">");
    }
    std::string mail_from = "<" + message.from + ">";

    // ---- the session
    std::array<char, CURL_ERROR_SIZE> reason{};
    set_option(curl, CURLOPT_ERRORBUFFER, reason.data(), where);
    set_option(curl, CURLOPT_URL, options.url.c_str(), where);
    set_option(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps", where);
    set_option(curl, CURLOPT_NOSIGNAL, 1L, where);
    // smtps:// is encrypted from the first byte; smtp:// must upgrade with STARTTLS unless the
    // caller explicitly allows a plain session, and then still upgrades when the server offers it.
    set_option(curl, CURLOPT_USE_SSL,
               static_cast<long>(options.require_tls || server.implicit_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY), where);
    if (options.ca_file) {
        set_option(curl, CURLOPT_CAINFO, options.ca_file->c_str(), where);
    }
    if (!options.user.empty()) {
        set_option(curl, CURLOPT_USERNAME, options.user.c_str(), where);
        set_option(curl, CURLOPT_PASSWORD, password.c_str(), where);
    }
    // The timeout bounds connecting, each wait for a server reply, and a stalled upload; a large
    // attachment on a slow but moving link is not cut off.
    set_option(curl, CURLOPT_CONNECTTIMEOUT, options.timeout_seconds, where);
    set_option(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, options.timeout_seconds, where);
    set_option(curl, CURLOPT_LOW_SPEED_LIMIT, 1L, where);
    set_option(curl, CURLOPT_LOW_SPEED_TIME, options.timeout_seconds, where);
    set_option(curl, CURLOPT_MAIL_FROM, mail_from.c_str(), where);
    set_option(curl, CURLOPT_MAIL_RCPT, recipients.get(), where);
    set_option(curl, CURLOPT_HTTPHEADER, headers.get(), where);
    set_option(curl, CURLOPT_MIMEPOST, mime.get(), where);
    set_option(curl, CURLOPT_XFERINFOFUNCTION, &on_progress, where);
    set_option(curl, CURLOPT_NOPROGRESS, 0L, where);

    CURLcode code = curl_easy_perform(curl);
    if (code == CURLE_ABORTED_BY_CALLBACK && interrupted()) {
        throw Interrupted();
    }
    if (code != CURLE_OK) {
        std::string cause = curl_easy_strerror(code);
        if (reason[0] != '\0' && cause != reason.data()) {
            cause += " (" + std::string(reason.data()) + ")";
        }
        if (code == CURLE_USE_SSL_FAILED) {
            cause += "; the server does not offer STARTTLS, and the password and bundle are only sent encrypted";
        }
        throw_output(redact(
            "send mail to " + counted(message.to.size(), "recipient") + " via '" + where + "': " + cause, password));
    }
}

} // namespace escprov::mail
