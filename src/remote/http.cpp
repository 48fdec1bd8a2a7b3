#include "remote/http.hpp"

#include "remote/auth.hpp"
#include "remote/org.hpp"
#include "util/interrupt.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <exception>
#include <random>
#include <thread>

#include <curl/curl.h>

namespace escprov::remote {

namespace {

constexpr size_t k_max_error_body = 4U << 20U;

struct EasyCleanup {
    void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct SlistCleanup {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

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

bool iequals_prefix(std::string_view line, std::string_view name)
{
    if (line.size() < name.size()) {
        return false;
    }
    for (size_t i = 0; i < name.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i]))) {
            return false;
        }
    }
    return true;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
        text.remove_suffix(1);
    }
    return text;
}

// The transfer's state, shared with the callbacks. Callbacks never throw: they stash the exception
// and make libcurl stop; send() rethrows it once curl_easy_perform has returned.
struct Transfer {
    const HttpRequest* request = nullptr;
    HttpResponse response;
    bool delivered = false; // the sink got bytes
    std::exception_ptr failure;
};

size_t on_header(char* data, size_t size, size_t count, void* user) noexcept
{
    auto* transfer = static_cast<Transfer*>(user);
    std::string_view line(data, size * count);
    try {
        if (line.starts_with("HTTP/")) {
            // A new answer (after 100 Continue, an authentication round): forget the previous one's.
            transfer->response = HttpResponse{};
            size_t space = line.find(' ');
            if (space != std::string_view::npos) {
                transfer->response.status = std::atoi(std::string(line.substr(space + 1, 3)).c_str());
            }
        } else if (iequals_prefix(line, "content-type:")) {
            transfer->response.content_type = trim(line.substr(13));
        } else if (iequals_prefix(line, "retry-after:")) {
            transfer->response.retry_after = trim(line.substr(12));
        } else if (iequals_prefix(line, "www-authenticate:")) {
            transfer->response.www_authenticate = trim(line.substr(17));
        }
    } catch (...) {
        transfer->failure = std::current_exception();
        return 0;
    }
    return size * count;
}

size_t on_write(char* data, size_t size, size_t count, void* user) noexcept
{
    auto* transfer = static_cast<Transfer*>(user);
    std::string_view bytes(data, size * count);
    try {
        int status = transfer->response.status;
        if (status >= 200 && status < 300 && transfer->request->sink) {
            transfer->delivered = true;
            transfer->request->sink(bytes);
        } else if (transfer->response.body.size() < k_max_error_body) {
            transfer->response.body.append(bytes.substr(0, k_max_error_body - transfer->response.body.size()));
        }
    } catch (...) {
        transfer->failure = std::current_exception();
        return 0; // not size*count: libcurl stops with CURLE_WRITE_ERROR
    }
    return bytes.size();
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) noexcept
{
    auto* transfer = static_cast<Transfer*>(user);
    try {
        return transfer->request->body_source(buffer, size * count);
    } catch (...) {
        transfer->failure = std::current_exception();
        return CURL_READFUNC_ABORT;
    }
}

int on_seek(void* user, curl_off_t offset, int origin) noexcept
{
    auto* transfer = static_cast<Transfer*>(user);
    if (offset != 0 || origin != SEEK_SET || !transfer->request->body_rewind) {
        return CURL_SEEKFUNC_CANTSEEK;
    }
    try {
        transfer->request->body_rewind();
    } catch (...) {
        transfer->failure = std::current_exception();
        return CURL_SEEKFUNC_FAIL;
    }
    return CURL_SEEKFUNC_OK;
}

// Stops the transfer when the user interrupts; send() throws Interrupted afterwards.
int on_progress(void* /*unused*/, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/, curl_off_t /*ultotal*/,
                curl_off_t /*ulnow*/) noexcept
{
    return interrupted() ? 1 : 0;
}

// Failures worth another attempt: the org or a hop was busy, refused, dropped or slow.
bool transient(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR: return true;
    default: return false;
    }
}

void sleep_interruptibly(std::chrono::milliseconds delay)
{
    auto until = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < until) {
        check_interrupted();
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(100)));
    }
}

double uniform_random()
{
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::string seconds_text(std::chrono::milliseconds delay)
{
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.1f s", static_cast<double>(delay.count()) / 1000.0);
    return text.data();
}

} // namespace

struct HttpClient::Handle {
    std::unique_ptr<CURL, EasyCleanup> easy;
};

struct HttpClient::Attempt {
    CURLcode code = CURLE_OK;
    std::string cause; // libcurl's words, redacted
    Transfer transfer;
};

std::shared_ptr<HttpSettings> make_http_settings(const ConnectionOptions& options, Timing timing)
{
    auto settings = std::make_shared<HttpSettings>();
    if (!timing.sleep) {
        timing.sleep = sleep_interruptibly;
    }
    if (!timing.random) {
        timing.random = uniform_random;
    }
    settings->timing = std::move(timing);
    settings->max_wait = options.max_wait;
    settings->deadline = settings->timing.now() + options.max_wait;
    settings->timeout = options.timeout;
    settings->ca_file = options.ca_file;
    settings->insecure_tls = options.insecure_tls;
    return settings;
}

std::string redact(std::string text, const std::vector<std::string>& secrets)
{
    for (const auto& secret : secrets) {
        if (secret.empty()) {
            continue;
        }
        for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
            text.replace(at, secret.size(), "***");
        }
    }
    return text;
}

std::string form_escape(std::string_view text)
{
    static constexpr std::string_view k_hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4U];
            out += k_hex[c & 0x0fU];
        }
    }
    return out;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::time_t now_utc)
{
    value = trim(value);
    if (value.empty()) {
        return std::nullopt;
    }
    if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
        if (value.size() > 9) {
            return std::chrono::seconds(999999999);
        }
        return std::chrono::seconds(std::stol(std::string(value)));
    }
    time_t when = curl_getdate(std::string(value).c_str(), nullptr);
    if (when < 0) {
        return std::nullopt;
    }
    return std::chrono::seconds(std::max<std::time_t>(0, when - now_utc));
}

HttpClient::HttpClient(std::shared_ptr<const HttpSettings> settings, std::shared_ptr<TokenSource> tokens)
    : m_settings(std::move(settings)), m_tokens(std::move(tokens)), m_handle(std::make_unique<Handle>())
{
    m_handle->easy.reset(curl_easy_init());
    if (!m_handle->easy) {
        throw Error(ErrorKind::internal, "connect: libcurl could not start a session");
    }
}

HttpClient::~HttpClient() = default;

std::chrono::milliseconds HttpClient::remaining() const
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(m_settings->deadline - m_settings->timing.now());
    return std::max(left, std::chrono::milliseconds(0));
}

std::chrono::milliseconds HttpClient::backoff(int retry)
{
    const Timing& timing = m_settings->timing;
    auto ceiling = timing.backoff_base;
    for (int i = 0; i < retry && ceiling < timing.backoff_cap; ++i) {
        ceiling *= 2;
    }
    ceiling = std::min(ceiling, timing.backoff_cap);
    double dice = timing.random ? timing.random() : uniform_random();
    return std::chrono::milliseconds(static_cast<int64_t>(dice * static_cast<double>(ceiling.count())));
}

void HttpClient::sleep(std::chrono::milliseconds delay)
{
    if (m_settings->timing.sleep) {
        m_settings->timing.sleep(delay);
    } else {
        sleep_interruptibly(delay);
    }
}

HttpClient::Attempt HttpClient::perform(const HttpRequest& request, const std::string& authorization)
{
    Attempt attempt;
    attempt.transfer.request = &request;
    CURL* curl = m_handle->easy.get();
    curl_easy_reset(curl); // keeps the connection cache: the next request reuses the connection

    const HttpSettings& settings = *m_settings;
    HeaderList headers;
    for (const auto& header : request.headers) {
        headers.append(header);
    }
    if (!authorization.empty()) {
        headers.append("Authorization: " + authorization);
    }
    headers.append("Expect:"); // no 100-continue round trip before a body

    std::array<char, CURL_ERROR_SIZE> reason{};
    auto set = [&](CURLoption option, auto value) {
        CURLcode code = curl_easy_setopt(curl, option, value);
        if (code != CURLE_OK) {
            throw Error(ErrorKind::internal, request.what + ": libcurl refused an option: " + curl_easy_strerror(code));
        }
    };
    set(CURLOPT_ERRORBUFFER, reason.data());
    set(CURLOPT_URL, request.url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    // gzip only: it saves a quarter of a base64 export over a WAN; brotli, which libcurl would also
    // offer, costs a server at its default quality far more time than it saves.
    set(CURLOPT_ACCEPT_ENCODING, "gzip");
    set(CURLOPT_HTTPHEADER, headers.get());
    set(CURLOPT_HEADERFUNCTION, &on_header);
    set(CURLOPT_HEADERDATA, &attempt.transfer);
    set(CURLOPT_WRITEFUNCTION, &on_write);
    set(CURLOPT_WRITEDATA, &attempt.transfer);
    set(CURLOPT_XFERINFOFUNCTION, &on_progress);
    set(CURLOPT_NOPROGRESS, 0L);
    if (settings.insecure_tls) {
        set(CURLOPT_SSL_VERIFYPEER, 0L);
        set(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (settings.ca_file) {
        set(CURLOPT_CAINFO, settings.ca_file->c_str());
    }
    if (!settings.ntlm_user.empty() && settings.ntlm_password) {
        // NTLM alone: IIS offers Negotiate beside it, and libcurl, once it picks Negotiate, has no
        // Kerberos ticket for a password and does not fall back to NTLM (docs/connecting.md).
        set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_NTLM));
        set(CURLOPT_USERNAME, settings.ntlm_user.c_str());
        set(CURLOPT_PASSWORD, settings.ntlm_password->reveal().c_str());
    }

    switch (request.method) {
    case Method::get: set(CURLOPT_HTTPGET, 1L); break;
    case Method::post: set(CURLOPT_POST, 1L); break;
    case Method::patch: set(CURLOPT_CUSTOMREQUEST, "PATCH"); break;
    case Method::del: set(CURLOPT_CUSTOMREQUEST, "DELETE"); break;
    }
    if (request.method == Method::post || request.method == Method::patch) {
        if (request.body_source) {
            if (request.method == Method::patch) {
                set(CURLOPT_UPLOAD, 1L);
            }
            set(CURLOPT_READFUNCTION, &on_read);
            set(CURLOPT_READDATA, &attempt.transfer);
            set(CURLOPT_SEEKFUNCTION, &on_seek);
            set(CURLOPT_SEEKDATA, &attempt.transfer);
            if (request.body_size >= 0) {
                set(request.method == Method::post ? CURLOPT_POSTFIELDSIZE_LARGE : CURLOPT_INFILESIZE_LARGE,
                    static_cast<curl_off_t>(request.body_size));
            }
        } else {
            set(CURLOPT_POSTFIELDS, request.body.c_str());
            set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        }
    }

    // Every request is bounded by the deadline; a short one also by --timeout, a streamed one by
    // --timeout without progress (a 250 MB export on a slow link is not cut off while it moves).
    auto left = std::max(remaining(), std::chrono::milliseconds(1));
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(settings.timeout);
    bool streamed = request.sink || request.body_source;
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(timeout, left).count()));
    if (request.long_running) {
        set(CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
    } else if (streamed) {
        set(CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
        set(CURLOPT_LOW_SPEED_LIMIT, 1L);
        set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(settings.timeout.count()));
    } else {
        set(CURLOPT_TIMEOUT_MS, static_cast<long>(std::min(timeout, left).count()));
    }

    attempt.code = curl_easy_perform(curl);
    if (attempt.code != CURLE_OK) {
        std::string cause = curl_easy_strerror(attempt.code);
        if (reason[0] != '\0' && cause != reason.data()) {
            cause += " (" + std::string(reason.data()) + ")";
        }
        attempt.cause = redact(cause, settings.redact);
    }
    return attempt;
}

HttpResponse HttpClient::send(const HttpRequest& request)
{
    m_attempts = 0;
    bool refreshed = false;
    int retry = 0;
    const auto& secrets = m_settings->redact;
    for (;;) {
        check_interrupted();
        if (remaining().count() <= 0) {
            throw RemoteError(redact(request.what + ": --max-wait (" + std::to_string(m_settings->max_wait.count()) +
                                         " s) has passed",
                                     secrets));
        }
        std::string authorization = m_tokens ? m_tokens->authorization() : std::string();
        ++m_attempts;
        Attempt attempt = perform(request, authorization);
        if (attempt.transfer.failure) {
            std::rethrow_exception(attempt.transfer.failure);
        }
        if (attempt.code == CURLE_ABORTED_BY_CALLBACK && interrupted()) {
            throw Interrupted();
        }
        std::chrono::milliseconds wait{0};
        std::string cause;
        if (attempt.code != CURLE_OK) {
            cause = attempt.cause;
            if (!transient(attempt.code)) {
                throw RemoteError(redact(request.what + ": " + cause, secrets));
            }
            if (!request.idempotent && attempt.code != CURLE_COULDNT_CONNECT) {
                throw RemoteError(
                    redact(request.what + ": " + cause + " (the request may have reached the org)", secrets));
            }
            wait = backoff(retry);
        } else {
            HttpResponse& response = attempt.transfer.response;
            int status = response.status;
            if (status == 401 && m_tokens && !refreshed && m_tokens->refresh()) {
                refreshed = true;
                if (request.body_rewind) {
                    request.body_rewind();
                }
                continue;
            }
            bool retryable = status == 429 || status == 503 || ((status == 502 || status == 504) && request.idempotent);
            if (!retryable) {
                return std::move(response);
            }
            cause = "HTTP " + std::to_string(status);
            auto after = parse_retry_after(response.retry_after, std::time(nullptr));
            wait = after ? std::chrono::duration_cast<std::chrono::milliseconds>(*after) : backoff(retry);
        }
        ++retry;
        if (wait >= remaining()) {
            throw RemoteError(redact(request.what + ": gave up after " + std::to_string(m_attempts) +
                                         (m_attempts == 1 ? " attempt" : " attempts") + ": the next retry (in " +
                                         seconds_text(wait) + ") would pass --max-wait (" +
                                         std::to_string(m_settings->max_wait.count()) + " s); last failure: " + cause,
                                     secrets));
        }
        sleep(wait);
        if (attempt.transfer.delivered && request.sink_reset) {
            request.sink_reset();
        }
        if (request.body_rewind) {
            request.body_rewind();
        }
    }
}

} // namespace escprov::remote
