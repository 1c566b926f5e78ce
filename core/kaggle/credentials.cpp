#include "kaggle/credentials.hpp"

#include "base/atomic_file.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstdlib>
#include <sstream>

namespace autokaggle::kaggle {

namespace fs = std::filesystem;

namespace {

std::string trim(std::string_view s) {
    const char* ws = " \t\r\n";
    auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(ws);
    return std::string(s.substr(b, e - b + 1));
}

/// A credential file readable by group or others is a leak waiting to happen; Kaggle's client
/// warns about it too.
void warn_if_exposed(const fs::path& file, Credentials& credentials) {
    std::error_code ec;
    auto perms = fs::status(file, ec).permissions();
    if (ec) return;
    using p = fs::perms;
    if ((perms & (p::group_read | p::others_read | p::group_write | p::others_write)) == p::none) return;
    std::ostringstream mode;
    mode << std::oct << static_cast<unsigned>(perms & p::mask);
    credentials.add_warning(file.string() + " is readable by other users (mode 0" + mode.str() +
                            "); run: chmod 600 " + file.string());
}

std::string read_secret_file(const fs::path& file, std::string_view what) {
    std::string text;
    try {
        text = trim(read_file(file));
    } catch (const std::exception& e) {
        throw ConfigError(std::string(what) + ": cannot read " + file.string() + ": " + e.what());
    }
    if (text.empty()) throw ConfigError(std::string(what) + ": " + file.string() + " is empty; put the Kaggle API token in it or remove it");
    return text;
}

/// {"username": "...", "key": "..."} from kaggle.json or an inline KAGGLE_API_TOKEN.
std::optional<Credentials> parse_username_key(std::string_view text, const std::string& source) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec || !value.is_object()) return std::nullopt;
    const auto& obj = value.as_object();
    auto field = [&](const char* name) -> std::string {
        const auto* v = obj.if_contains(name);
        if (!v || !v->is_string() || v->as_string().empty())
            throw ConfigError(source + ": missing or empty \"" + name +
                              "\"; it must hold {\"username\": \"<your user>\", \"key\": \"<your key>\"} "
                              "as downloaded from kaggle.com > Settings > API");
        return std::string(v->as_string());
    };
    std::string user = field("username");
    std::string key = field("key");
    return Credentials(Credentials::Scheme::basic, std::move(user), std::move(key), source);
}

std::optional<Credentials> from_api_token(const CredentialEnvironment& env) {
    auto value = env.get("KAGGLE_API_TOKEN");
    if (!value) return std::nullopt;
    std::string text = trim(*value);
    std::string source = "KAGGLE_API_TOKEN";
    std::optional<fs::path> file;
    std::error_code ec;
    // A value that names an existing file is a path to the token, never the token itself.
    if (text.find('/') != std::string::npos && fs::is_regular_file(text, ec)) {
        file = text;
        source = "KAGGLE_API_TOKEN (file " + text + ")";
        text = read_secret_file(*file, "KAGGLE_API_TOKEN");
    }
    std::optional<Credentials> found;
    if (!text.empty() && text.front() == '{') found = parse_username_key(text, source);
    if (!found) found.emplace(Credentials::Scheme::bearer, "", text, source);
    if (file) warn_if_exposed(*file, *found);
    return found;
}

std::optional<Credentials> from_access_token_file(const CredentialEnvironment& env) {
    if (env.home.empty()) return std::nullopt;
    fs::path file = env.home / ".kaggle" / "access_token";
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::nullopt;
    Credentials c(Credentials::Scheme::bearer, "", read_secret_file(file, "Kaggle access token"), file.string());
    warn_if_exposed(file, c);
    return c;
}

std::optional<Credentials> from_username_key_env(const CredentialEnvironment& env) {
    auto user = env.get("KAGGLE_USERNAME");
    auto key = env.get("KAGGLE_KEY");
    if (!key) return std::nullopt;  // KAGGLE_USERNAME alone only names the user (kaggle.json may follow)
    if (!user)
        throw ConfigError("KAGGLE_KEY is set but KAGGLE_USERNAME is not; export KAGGLE_USERNAME=<your Kaggle user> "
                          "or unset KAGGLE_KEY to use kaggle.json");
    return Credentials(Credentials::Scheme::basic, trim(*user), trim(*key), "KAGGLE_USERNAME/KAGGLE_KEY");
}

std::vector<fs::path> kaggle_json_candidates(const CredentialEnvironment& env) {
    std::vector<fs::path> out;
    if (auto dir = env.get("KAGGLE_CONFIG_DIR")) out.push_back(fs::path(*dir) / "kaggle.json");
    if (!env.home.empty()) out.push_back(env.home / ".kaggle" / "kaggle.json");
    if (auto xdg = env.get("XDG_CONFIG_HOME")) {
        out.push_back(fs::path(*xdg) / "kaggle" / "kaggle.json");
    } else if (!env.home.empty()) {
        out.push_back(env.home / ".config" / "kaggle" / "kaggle.json");
    }
    return out;
}

std::optional<Credentials> from_kaggle_json(const CredentialEnvironment& env) {
    for (const auto& file : kaggle_json_candidates(env)) {
        std::error_code ec;
        if (!fs::exists(file, ec)) continue;
        std::string text = read_secret_file(file, "kaggle.json");
        auto c = parse_username_key(text, file.string());
        if (!c) throw ConfigError(file.string() + ": not a JSON object; it must hold {\"username\": ..., \"key\": ...}");
        warn_if_exposed(file, *c);
        return c;
    }
    return std::nullopt;
}

}  // namespace

CredentialEnvironment CredentialEnvironment::process() {
    CredentialEnvironment env;
    env.getenv = [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
    if (auto home = env.get("HOME")) env.home = *home;
    return env;
}

std::optional<std::string> CredentialEnvironment::get(std::string_view name) const {
    if (!getenv) return std::nullopt;
    auto v = getenv(name);
    if (!v || trim(*v).empty()) return std::nullopt;
    return v;
}

std::string Credentials::describe() const {
    std::string who = username_.empty() ? "" : " of '" + username_ + "'";
    return std::string(scheme_ == Scheme::bearer ? "API token" : "username and key") + who + " from " + source_;
}

std::string Credentials::authorization() const {
    if (scheme_ == Scheme::bearer) return "Bearer " + secret_;
    return "Basic " + base64_encode(username_ + ":" + secret_);
}

std::optional<Credentials> find_credentials(const CredentialEnvironment& env) {
    if (auto c = from_api_token(env)) return c;
    if (auto c = from_access_token_file(env)) return c;
    if (auto c = from_username_key_env(env)) return c;
    return from_kaggle_json(env);
}

std::vector<std::string> credential_locations(const CredentialEnvironment& env) {
    std::vector<std::string> out{"KAGGLE_API_TOKEN (a token or the path of a file holding it)"};
    if (!env.home.empty()) out.push_back((env.home / ".kaggle" / "access_token").string());
    out.push_back("KAGGLE_USERNAME + KAGGLE_KEY");
    for (const auto& f : kaggle_json_candidates(env)) out.push_back(f.string());
    return out;
}

Credentials resolve_credentials(const CredentialEnvironment& env) {
    if (auto c = find_credentials(env)) return std::move(*c);
    std::string msg = "no Kaggle credentials found; looked in:";
    for (const auto& where : credential_locations(env)) msg += "\n  - " + where;
    msg += "\nCreate an API token at kaggle.com > Settings > API and save it as ~/.kaggle/kaggle.json "
           "(chmod 600) or export KAGGLE_API_TOKEN";
    throw ConfigError(msg);
}

std::string base64_encode(std::string_view bytes) {
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                     static_cast<unsigned char>(bytes[i + 2]);
        out += table[(n >> 18) & 63];
        out += table[(n >> 12) & 63];
        out += table[(n >> 6) & 63];
        out += table[n & 63];
    }
    if (std::size_t rest = bytes.size() - i; rest > 0) {
        unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += table[(n >> 18) & 63];
        out += table[(n >> 12) & 63];
        out += rest == 2 ? table[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

}  // namespace autokaggle::kaggle
