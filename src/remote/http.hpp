#pragma once
// The HTTP client under both org endpoints and the token sources: libcurl, one easy handle per client
// (connections kept alive between requests), TLS verified unless the user says otherwise, a timeout on
// every request, transient failures retried with capped exponential backoff and full jitter, and the
// whole job bounded by a deadline (--max-wait). Bodies stream both ways through callbacks, so a
// 250 MB solution is never held whole. Nothing here logs a header or a body, and messages never
// carry a secret or a token.

#include "remote/connection.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::remote {

class TokenSource;

// The clock, the sleeper and the dice of the retry loop, replaceable so tests run without waiting.
struct Timing {
    using Clock = std::chrono::steady_clock;
    std::function<Clock::time_point()> now = [] { return Clock::now(); };
    std::function<void(std::chrono::milliseconds)> sleep; // default: sleeps, waking for SIGINT
    std::function<double()> random;                       // default: uniform in [0, 1)
    std::chrono::milliseconds backoff_base{500};          // first backoff ceiling, doubled per retry
    std::chrono::milliseconds backoff_cap{30000};         // the ceiling's ceiling
};

// What every client of one job shares: the deadline, the transport settings and the secrets to
// keep out of messages. Made once per job (make_http_settings) and shared by pointer.
struct HttpSettings {
    Timing timing;
    Timing::Clock::time_point deadline; // --max-wait from the job's start
    std::chrono::seconds max_wait{3600};
    std::chrono::seconds timeout{120}; // one request (a streamed one: no progress for this long)
    std::optional<std::filesystem::path> ca_file;
    bool insecure_tls = false;
    // --auth ntlm: the Windows user and password libcurl signs in with (NTLM).
    std::string ntlm_user;
    std::shared_ptr<const Secret> ntlm_password;
    // Strings removed from every message (the secret, tokens): a server could echo them.
    std::vector<std::string> redact;
};

// Settings from the connection options; the deadline starts now.
std::shared_ptr<HttpSettings> make_http_settings(const ConnectionOptions& options, Timing timing = {});

// Removes every occurrence of each of `secrets` from `text`.
std::string redact(std::string text, const std::vector<std::string>& secrets);

enum class Method { get, post, patch, del };

struct HttpRequest {
    Method method = Method::get;
    std::string url;
    std::vector<std::string> headers; // "Name: value"
    std::string body;                 // sent when there is no body_source
    // A streamed body: fills the buffer, returns the bytes written, 0 at the end; may throw.
    std::function<size_t(char*, size_t)> body_source;
    std::function<void()> body_rewind; // starts body_source over (retries, authentication rounds)
    int64_t body_size = -1;            // the streamed body's length when known (Content-Length)
    // The body of a 2xx answer goes here instead of HttpResponse::body when set; may throw.
    std::function<void(std::string_view)> sink;
    std::function<void()> sink_reset; // before a retry that follows a partly delivered answer
    // When false, a failure after the request may have reached the server (a dropped connection,
    // a timeout, 502/504) is thrown at once instead of re-sending: the caller finds out what
    // happened (an import polls its job). 429 and 503 are always retried: the server refused.
    bool idempotent = true;
    // A request that may legitimately take long after its body is sent (ImportSolution): it is
    // bounded by the deadline only, not by --timeout.
    bool long_running = false;
    // For messages: "ExportSolution on https://contoso.crm.dynamics.com".
    std::string what;
};

struct HttpResponse {
    int status = 0;
    std::string body; // the whole body when there is no sink or the status is not 2xx (capped at 4 MB)
    std::string content_type;
    std::string www_authenticate;
    std::string retry_after;
};

// A failure no retry fixed: the HTTP status (0: none) and the cause; thrown as RemoteError by send().

// One libcurl easy handle, reused for every request (keep-alive). Not thread-safe: one per thread.
class HttpClient {
public:
    // `tokens` (may be null) signs every request; a 401 makes it refresh once and the request is sent again.
    explicit HttpClient(std::shared_ptr<const HttpSettings> settings, std::shared_ptr<TokenSource> tokens = nullptr);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Sends `request`, retrying 429 (Retry-After honoured), 502/503/504, refused and dropped connections
    // and timeouts until the deadline. Returns the final answer whatever its status (4xx, 5xx after the
    // last retry included). Throws RemoteError (status 0) when no answer came before the deadline or a
    // non-idempotent request failed after it was sent, with a message naming `what` and the cause;
    // Interrupted on SIGINT; whatever body_source or sink threw.
    HttpResponse send(const HttpRequest& request);

    const HttpSettings& settings() const { return *m_settings; }
    // Time left before the deadline (never negative).
    std::chrono::milliseconds remaining() const;
    // How many attempts the last send() made (tests).
    int last_attempts() const { return m_attempts; }

private:
    struct Attempt;
    Attempt perform(const HttpRequest& request, const std::string& authorization);
    std::chrono::milliseconds backoff(int retry);
    void sleep(std::chrono::milliseconds delay);

    std::shared_ptr<const HttpSettings> m_settings;
    std::shared_ptr<TokenSource> m_tokens;
    struct Handle;
    std::unique_ptr<Handle> m_handle;
    int m_attempts = 0;
};

// Seconds from a Retry-After value: delta-seconds or an HTTP date (relative to `now_utc`); nullopt
// when it is neither.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::time_t now_utc);

// application/x-www-form-urlencoded escaping of one name or value.
std::string form_escape(std::string_view text);
// Percent-escaping for a URL query value.
inline std::string url_escape(std::string_view text)
{
    return form_escape(text);
}

} // namespace escprov::remote
