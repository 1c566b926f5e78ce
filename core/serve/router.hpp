// What the dashboard answers to a request, independent of the network code: the access rule
// (token, host names), the routes, the file confinement. The server turns Responses into HTTP.
//
//   GET /                          the campaign list (or a redirect to the only campaign)
//   GET /c/<id>/                   the campaign page
//   GET /assets/<name>             page assets compiled into the binary
//   GET /api/campaigns             the list as JSON
//   GET /api/c/<id>/summary        header, rounds, experiments, blend (JSON)
//   GET /api/c/<id>/live           phase, running experiment, campaign log tail (JSON)
//   GET /api/c/<id>/round/<n>      the files of round n the page can open (JSON)
//   GET /api/c/<id>/file/<path>    one of those files (text; logs: their end only)
//   GET /api/c/<id>/events         server-sent events: "summary" and "live" as they change
#pragma once

#include "serve/campaign_watch.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autokaggle::serve {

struct Request {
    std::string method = "GET";
    std::string target = "/";  ///< path and query as sent
    std::vector<std::pair<std::string, std::string>> headers;

    /// The first header of that name (case-insensitive), "" when absent.
    std::string header(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  ///< Location, Set-Cookie, Cache-Control...
    /// The body is a page asset compiled into the binary; every other body passes through
    /// redact() before it is sent.
    bool from_binary = false;
    /// Set for /events: the server keeps the connection open and streams this campaign's changes.
    std::shared_ptr<CampaignWatch> events;
};

/// Who may read the dashboard.
struct AccessRule {
    std::string token;  ///< when set, every request must carry it (cookie, header or ?token=)
    /// Without a token the server listens on loopback only; it then also requires a loopback
    /// Host header, so that a web page on another site cannot reach it through a DNS name that
    /// resolves to 127.0.0.1.
    bool loopback_hosts_only = true;
};

inline constexpr const char* kTokenCookie = "autokaggle_token";

/// Loopback addresses: 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_address(std::string_view address);

/// Why `serve` must not listen on `address` with this token ("" when it may): any address other
/// than loopback needs a token, since the dashboard would otherwise be open to the network.
std::string bind_refusal(std::string_view address, std::string_view token);

/// URL-safe campaign ids from folder names ("My Comp" -> "my-comp"), made unique with "-2"...
std::vector<std::string> campaign_ids(const std::vector<std::filesystem::path>& roots);

class Router {
public:
    Router(std::vector<std::shared_ptr<CampaignWatch>> campaigns, AccessRule access);

    Response handle(const Request& request) const;

    const std::vector<std::shared_ptr<CampaignWatch>>& campaigns() const { return campaigns_; }

private:
    /// A refusal when the request does not satisfy the access rule, else nullopt. A valid
    /// ?token= sets the cookie and redirects to the same address without it.
    std::optional<Response> refuse_or_admit(const Request& request, std::string_view path, std::string_view query) const;
    Response route(std::string_view path) const;
    Response campaign_api(const std::shared_ptr<CampaignWatch>& campaign, std::string_view rest) const;
    std::shared_ptr<CampaignWatch> find(std::string_view id) const;

    std::vector<std::shared_ptr<CampaignWatch>> campaigns_;
    AccessRule access_;
};

}  // namespace autokaggle::serve
