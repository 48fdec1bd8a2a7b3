#include "emulators/dataverse/options.hpp"

#include "util/error.hpp"
#include "util/text.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>

namespace escprov::emulator {

namespace po = boost::program_options;

namespace {

const char* const k_usage = R"(Usage: escprov-fake-dataverse --org-version V --seed EXPORT.zip [options]

A Dataverse / Dynamics CRM organisation on loopback, for escprov's tests and demo. It prints its
base URL (http://127.0.0.1:PORT) as the first line of stdout and serves until SIGTERM or SIGINT.
The base URL is the org URL and also the OAuth authority:
  Web API     {url}/api/data/v8.0 ... v{org version} (orgs 8.0 and later)
  SOAP        {url}/XRMServices/2011/Organization.svc/web (every version)
  tokens      {url}/{tenant}/oauth2/v2.0/token (Entra ID client credentials),
              {url}/adfs/oauth2/token (AD FS client credentials or password grant)

Secrets: the client secret comes from --secret or, better, the environment variable
ESCPROV_FAKE_SECRET, and the user's password from --password or ESCPROV_FAKE_PASSWORD, so that
tests need not put them on a command line.

Options)";

unsigned positive(const po::variables_map& values, const char* name, unsigned fallback)
{
    if (values.count(name) == 0) {
        return fallback;
    }
    int value = values[name].as<int>();
    if (value < 0) {
        throw Error(ErrorKind::usage, std::string("escprov-fake-dataverse: --") + name + " must not be negative");
    }
    return unsigned(value);
}

} // namespace

const std::vector<std::string>& known_org_versions()
{
    static const std::vector<std::string> versions = {"5.0", "6.0", "6.1", "7.0", "7.1", "8.0",
                                                      "8.1", "8.2", "9.0", "9.1", "9.2"};
    return versions;
}

std::optional<Options> parse_options(int argc, const char* const* argv)
{
    po::options_description described(k_usage);
    // clang-format off
    described.add_options()
        ("help,h", "show this help")
        ("port", po::value<int>(), "port to listen on (0: pick a free one; default 0)")
        ("org-version", po::value<std::string>(), "the CRM version played: 5.0 6.0 6.1 7.0 7.1 8.0 8.1 8.2 9.0 9.1 9.2")
        ("seed", po::value<std::string>(), "the whole-org export (Default solution zip) the org starts from")
        ("client-id", po::value<std::string>(), "the application allowed the client-credentials grant")
        ("secret", po::value<std::string>(), "its client secret (prefer ESCPROV_FAKE_SECRET)")
        ("user", po::value<std::string>(), "the user allowed the AD FS password grant (and behind the proxy)")
        ("password", po::value<std::string>(), "the user's password (prefer ESCPROV_FAKE_PASSWORD)")
        ("trust-proxy-user", "authenticate requests carrying X-Remote-User as that user, without a token")
        ("token-lifetime", po::value<int>(), "seconds a token lives (default 3600)")
        ("import-step-ms", po::value<int>(), "milliseconds per import step; an import takes ~10 (default 150)")
        ("deny-privilege", po::value<std::vector<std::string>>(), "a privilege the user lacks (repeatable)")
        ("remove-entity", po::value<std::vector<std::string>>(), "a system entity the org lacks (repeatable)")
        ("reject-entity", po::value<std::vector<std::string>>(),
             "imports carrying this entity fail on it with 0x80040265 (ISV code aborted the operation), as when a "
             "plug-in the customer registered refuses it (repeatable)")
        ("fault-429-every", po::value<int>(), "every N-th request answers 429 with Retry-After")
        ("retry-after", po::value<int>(), "the Retry-After seconds of those 429s (default 1)")
        ("fault-503-every", po::value<int>(), "every N-th request answers 503")
        ("fault-drop-every", po::value<int>(), "every N-th request loses its connection before a full answer")
        ("latency-ms", po::value<int>(), "every request waits this many milliseconds first")
        ("expire-tokens-every", po::value<int>(), "every N-th authenticated request finds all tokens so far expired");
    // clang-format on
    po::variables_map values;
    try {
        po::store(po::command_line_parser(argc, argv).options(described).run(), values);
        po::notify(values);
    } catch (const po::error& e) {
        throw Error(ErrorKind::usage, std::string("escprov-fake-dataverse: ") + e.what());
    }
    if (values.count("help") != 0) {
        std::cout << described << "\n";
        return std::nullopt;
    }
    Options options;
    if (values.count("org-version") == 0) {
        throw Error(ErrorKind::usage, "escprov-fake-dataverse: --org-version is required");
    }
    options.org_version = values["org-version"].as<std::string>();
    const auto& versions = known_org_versions();
    if (std::find(versions.begin(), versions.end(), options.org_version) == versions.end()) {
        throw Error(ErrorKind::usage, "escprov-fake-dataverse: --org-version '" + options.org_version +
                                          "' is none of 5.0 6.0 6.1 7.0 7.1 8.0 8.1 8.2 9.0 9.1 9.2");
    }
    if (values.count("seed") == 0) {
        throw Error(ErrorKind::usage, "escprov-fake-dataverse: --seed EXPORT.zip is required");
    }
    options.seed = values["seed"].as<std::string>();
    options.port = positive(values, "port", 0);
    if (options.port > 65535) {
        throw Error(ErrorKind::usage, "escprov-fake-dataverse: --port must be at most 65535");
    }
    if (values.count("client-id") != 0) {
        options.client_id = values["client-id"].as<std::string>();
    }
    if (values.count("secret") != 0) {
        options.secret = values["secret"].as<std::string>();
    } else if (const char* secret = std::getenv("ESCPROV_FAKE_SECRET"); secret != nullptr) {
        options.secret = secret;
    }
    if (values.count("user") != 0) {
        options.user = values["user"].as<std::string>();
    }
    if (values.count("password") != 0) {
        options.password = values["password"].as<std::string>();
    } else if (const char* password = std::getenv("ESCPROV_FAKE_PASSWORD"); password != nullptr) {
        options.password = password;
    }
    if (!options.client_id.empty() && options.secret.empty()) {
        throw Error(ErrorKind::usage,
                    "escprov-fake-dataverse: --client-id needs a secret (--secret or ESCPROV_FAKE_SECRET)");
    }
    options.trust_proxy_user = values.count("trust-proxy-user") != 0;
    options.token_lifetime = positive(values, "token-lifetime", 3600);
    options.import_step_ms = positive(values, "import-step-ms", 150);
    if (values.count("deny-privilege") != 0) {
        options.deny_privileges = values["deny-privilege"].as<std::vector<std::string>>();
    }
    if (values.count("reject-entity") != 0) {
        for (const auto& name : values["reject-entity"].as<std::vector<std::string>>()) {
            options.reject_entities.push_back(ascii_lower(name));
        }
    }
    if (values.count("remove-entity") != 0) {
        for (const auto& name : values["remove-entity"].as<std::vector<std::string>>()) {
            options.remove_entities.push_back(ascii_lower(name));
        }
    }
    options.faults.every_429 = positive(values, "fault-429-every", 0);
    options.faults.retry_after = positive(values, "retry-after", 1);
    options.faults.every_503 = positive(values, "fault-503-every", 0);
    options.faults.every_drop = positive(values, "fault-drop-every", 0);
    options.faults.latency_ms = positive(values, "latency-ms", 0);
    options.faults.expire_every = positive(values, "expire-tokens-every", 0);
    return options;
}

} // namespace escprov::emulator
