#include "serve/router.hpp"

#include "base/log.hpp"
#include "base/text.hpp"
#include "serve/assets.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <set>

namespace autokaggle::serve {
namespace json = boost::json;

namespace {

Response text(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body) + "\n";
    return r;
}

Response json_response(std::string body) {
    Response r;
    r.content_type = "application/json";
    r.body = std::move(body);
    return r;
}

Response redirect(std::string location) {
    Response r;
    r.status = 303;
    r.headers.emplace_back("Location", std::move(location));
    return r;
}

Response asset_response(std::string_view name) {
    const auto asset = find_asset(name);
    if (!asset) return text(404, "no such page asset: " + std::string(name));
    Response r;
    r.content_type = std::string(asset->content_type);
    r.body = std::string(asset->data);
    r.from_binary = true;
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
}

/// Equal, compared in a time that does not depend on where they differ.
bool same_secret(std::string_view offered, std::string_view token) {
    if (token.empty() || offered.size() != token.size()) return false;
    unsigned diff = 0;
    for (std::size_t i = 0; i < token.size(); ++i)
        diff |= static_cast<unsigned>(static_cast<unsigned char>(offered[i]) ^ static_cast<unsigned char>(token[i]));
    return diff == 0;
}

/// The value of `name` in a Cookie header ("a=1; autokaggle_token=xyz").
std::string cookie_value(std::string_view header, std::string_view name) {
    for (const auto& part : split(header, ';')) {
        const std::string item = trim(part);
        const auto eq = item.find('=');
        if (eq != std::string::npos && item.substr(0, eq) == name) return item.substr(eq + 1);
    }
    return {};
}

/// The query without the parameter `name`, and that parameter's value.
std::pair<std::string, std::string> take_parameter(std::string_view query, std::string_view name) {
    std::vector<std::string> kept;
    std::string value;
    for (const auto& part : split(query, '&')) {
        if (part.empty()) continue;
        const auto eq = part.find('=');
        if (part.substr(0, eq) == name) value = eq == std::string::npos ? "" : part.substr(eq + 1);
        else kept.push_back(part);
    }
    return {join(kept, "&"), value};
}

/// The host name of a Host header ("127.0.0.1:8765" -> "127.0.0.1", "[::1]:80" -> "::1").
std::string host_name(std::string_view host) {
    if (!host.empty() && host.front() == '[') {
        const auto close = host.find(']');
        return std::string(host.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    }
    return std::string(host.substr(0, host.find(':')));
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

/// The next path segment of `rest` and what follows it ("a/b/c" -> "a", "b/c").
std::pair<std::string_view, std::string_view> next_segment(std::string_view rest) {
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return {rest, {}};
    return {rest.substr(0, slash), rest.substr(slash + 1)};
}

}  // namespace

std::string Request::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return {};
}

bool is_loopback_address(std::string_view address) {
    if (address == "localhost") return true;
    boost::system::error_code ec;
    const auto parsed = boost::asio::ip::make_address(std::string(address), ec);
    return !ec && parsed.is_loopback();
}

std::string bind_refusal(std::string_view address, std::string_view token) {
    if (is_loopback_address(address) || !token.empty()) return {};
    return "--bind " + std::string(address) +
           " would open the dashboard to the network without a token; add --token T (every request must then carry "
           "it: open http://HOST:PORT/?token=T once), or leave --bind out to listen on 127.0.0.1 only";
}

std::vector<std::string> campaign_ids(const std::vector<std::filesystem::path>& roots) {
    std::vector<std::string> ids;
    std::set<std::string> taken;
    for (const auto& root : roots) {
        std::string base;
        auto folder = std::filesystem::absolute(root).lexically_normal();
        if (folder.filename().empty()) folder = folder.parent_path();  // "/a/b/" names b
        for (char c : to_lower(folder.filename().string())) {
            const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (keep) base.push_back(c);
            else if (!base.empty() && base.back() != '-') base.push_back('-');
        }
        while (!base.empty() && base.back() == '-') base.pop_back();
        if (base.empty()) base = "campaign";
        std::string id = base;
        for (int n = 2; taken.count(id); ++n) id = base + "-" + std::to_string(n);
        taken.insert(id);
        ids.push_back(id);
    }
    return ids;
}

Router::Router(std::vector<std::shared_ptr<CampaignWatch>> campaigns, AccessRule access)
    : campaigns_(std::move(campaigns)), access_(std::move(access)) {}

std::shared_ptr<CampaignWatch> Router::find(std::string_view id) const {
    for (const auto& c : campaigns_)
        if (c->id() == id) return c;
    return nullptr;
}

std::optional<Response> Router::refuse_or_admit(const Request& request, std::string_view path, std::string_view query) const {
    if (access_.token.empty()) {
        if (access_.loopback_hosts_only && !is_loopback_address(host_name(request.header("Host"))))
            return text(403, "this dashboard answers only to localhost, 127.0.0.1 or [::1] (Host: " + request.header("Host") +
                                 "); to reach it under another name, start it with --token");
        return std::nullopt;
    }
    auto [other_query, given] = take_parameter(query, "token");
    if (!given.empty()) {
        if (!same_secret(given, access_.token)) return text(401, "wrong token");
        Response r = redirect(std::string(path) + (other_query.empty() ? "" : "?" + other_query));
        r.headers.emplace_back("Set-Cookie", std::string(kTokenCookie) + "=" + access_.token +
                                                 "; Path=/; HttpOnly; SameSite=Strict");
        return r;
    }
    std::string bearer = request.header("Authorization");
    bearer = starts_with(bearer, "Bearer ") ? trim(bearer.substr(7)) : "";
    for (const auto& offered : {cookie_value(request.header("Cookie"), kTokenCookie), bearer, request.header("X-Autokaggle-Token")})
        if (same_secret(offered, access_.token)) return std::nullopt;
    return text(401, "this dashboard needs its token: open " + std::string(path) +
                         "?token=<the token given to autokaggle serve --token> once (it is then kept in a cookie), "
                         "or send the header 'Authorization: Bearer <token>'");
}

Response Router::handle(const Request& request) const {
    const auto question = request.target.find('?');
    const std::string_view target = request.target;
    const std::string_view path = target.substr(0, question);
    const std::string_view query = question == std::string::npos ? std::string_view{} : target.substr(question + 1);
    if (request.method != "GET" && request.method != "HEAD") {
        Response r = text(405, "the dashboard is read-only: only GET and HEAD are answered");
        r.headers.emplace_back("Allow", "GET, HEAD");
        return r;
    }
    // Browsers ask for /favicon.ico on every page, the "needs its token" page too: the icon is no
    // secret, and a refusal there would be one more error in the browser's console.
    if (path == "/favicon.ico") return asset_response("favicon.svg");
    if (auto refused = refuse_or_admit(request, path, query)) return *refused;
    Response r = route(path);
    if (!r.from_binary) r.body = redact(r.body);  // the one exit of workspace text
    return r;
}

Response Router::route(std::string_view path) const {
    if (path == "/") {
        if (campaigns_.size() == 1) return redirect("/c/" + campaigns_.front()->id() + "/");
        return asset_response("index.html");
    }
    if (starts_with(path, "/assets/")) return asset_response(path.substr(8));
    if (path == "/api/campaigns") {
        json::array list;
        for (const auto& c : campaigns_) list.push_back(c->list_entry());
        return json_response(strict_json(list));
    }
    if (starts_with(path, "/c/")) {
        const auto [id, rest] = next_segment(path.substr(3));
        if (!find(id)) return text(404, "no campaign '" + std::string(id) + "' here");
        if (path.size() == 3 + id.size()) return redirect(std::string(path) + "/");
        if (!rest.empty()) return text(404, "not found: " + std::string(path));
        return asset_response("campaign.html");
    }
    if (starts_with(path, "/api/c/")) {
        const auto [id, rest] = next_segment(path.substr(7));
        const auto campaign = find(id);
        if (!campaign) return text(404, "no campaign '" + std::string(id) + "' here");
        return campaign_api(campaign, rest);
    }
    return text(404, "not found: " + std::string(path));
}

Response Router::campaign_api(const std::shared_ptr<CampaignWatch>& campaign, std::string_view rest) const {
    const auto [what, arg] = next_segment(rest);
    Response r;
    if (what == "summary" && arg.empty()) {
        r = json_response(campaign->refresh().summary);
    } else if (what == "live" && arg.empty()) {
        r = json_response(campaign->refresh().live);
    } else if (what == "events" && arg.empty()) {
        r.content_type = "text/event-stream";
        r.events = campaign;
    } else if (what == "round") {
        int round = -1;
        const auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), round);
        if (ec != std::errc() || end != arg.data() + arg.size() || round < 0 || round > 9999)
            return text(404, "not a round number: " + std::string(arg));
        r = json_response(campaign->round_files(round));
    } else if (what == "file") {
        const auto file = campaign->files().serve(arg);
        if (!file.ok()) return text(file.status, file.message);
        r.body = file.text;
        if (file.truncated) r.headers.emplace_back("X-Autokaggle-Truncated", std::to_string(file.size));
    } else {
        return text(404, "not found: " + std::string(rest));
    }
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

}  // namespace autokaggle::serve
