// Kaggle credentials, found where Kaggle's own client looks for them:
//   1. KAGGLE_API_TOKEN: the token itself, or the path of a file holding it     -> Bearer
//      (a {"username","key"} JSON value, as some guides suggest, is read as Basic)
//   2. ~/.kaggle/access_token                                                     -> Bearer
//   3. KAGGLE_USERNAME + KAGGLE_KEY                                               -> Basic
//   4. kaggle.json in $KAGGLE_CONFIG_DIR, else ~/.kaggle/, else $XDG_CONFIG_HOME/kaggle/ -> Basic
// The secret never leaves this class except as an Authorization header value; everything
// printable (source(), describe(), warnings) names where the credential came from, never it.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::kaggle {

/// Where credentials are looked up: the environment and the home folder, injectable so tests
/// can check precedence without touching the process environment.
struct CredentialEnvironment {
    std::function<std::optional<std::string>(std::string_view name)> getenv;
    std::filesystem::path home;

    /// The real process environment and $HOME.
    static CredentialEnvironment process();
    /// Non-empty value of a variable, or nullopt.
    std::optional<std::string> get(std::string_view name) const;
};

class Credentials {
public:
    enum class Scheme { bearer, basic };

    Credentials(Scheme scheme, std::string username, std::string secret, std::string source)
        : scheme_(scheme), username_(std::move(username)), secret_(std::move(secret)), source_(std::move(source)) {}

    Scheme scheme() const noexcept { return scheme_; }
    /// The Kaggle user name when the source names one (Basic credentials); may be empty.
    const std::string& username() const noexcept { return username_; }
    /// Which source was used: "KAGGLE_API_TOKEN", "/home/u/.kaggle/kaggle.json", ...
    const std::string& source() const noexcept { return source_; }
    /// One line for the user: "Basic credentials of 'alice' from /home/u/.kaggle/kaggle.json".
    std::string describe() const;
    /// The Authorization header value ("Bearer ..." or "Basic base64(user:key)").
    std::string authorization() const;
    /// Problems worth telling the user (a kaggle.json readable by others).
    const std::vector<std::string>& warnings() const noexcept { return warnings_; }
    void add_warning(std::string warning) { warnings_.push_back(std::move(warning)); }

private:
    Scheme scheme_;
    std::string username_;
    std::string secret_;
    std::string source_;
    std::vector<std::string> warnings_;
};

/// The first credentials found in the documented order, or nullopt when there are none.
/// Throws autokaggle::ConfigError naming the file or variable when a source exists but is
/// broken (unreadable file, kaggle.json without "key", KAGGLE_USERNAME without KAGGLE_KEY).
std::optional<Credentials> find_credentials(const CredentialEnvironment& env);

/// find_credentials, or a ConfigError listing every place that was tried and how to fix it.
Credentials resolve_credentials(const CredentialEnvironment& env = CredentialEnvironment::process());

/// Every place find_credentials looks, in order, for error messages and docs.
std::vector<std::string> credential_locations(const CredentialEnvironment& env);

/// Standard base64 (RFC 4648 with padding).
std::string base64_encode(std::string_view bytes);

}  // namespace autokaggle::kaggle
