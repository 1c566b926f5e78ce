// The Researcher's sources beyond the scraper's file: Kaggle notebooks (list, read) and
// discussion topics through the core's Kaggle client when credentials exist, and fetch_url for
// the hosts config.json lists under tools.fetch_url_hosts (off by default).
#include "tools/tool_args.hpp"
#include "tools/tool_groups.hpp"

#include "base/text.hpp"
#include "http/http_client.hpp"
#include "kaggle/client.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace autokaggle::tools {

namespace json = boost::json;

namespace {

bool matches(const std::string& text, const std::string& query) {
    if (query.empty()) return true;
    const std::string lower = to_lower(text);
    for (const auto& word : split(to_lower(query), ' '))
        if (!word.empty() && lower.find(word) == std::string::npos) return false;
    return true;
}

std::string cell_source(const json::value& source) {
    if (source.is_string()) return std::string(source.get_string());
    std::string out;
    if (source.is_array())
        for (const auto& line : source.get_array())
            if (line.is_string()) out += line.get_string();
    return out;
}

/// A notebook's cells as markdown (code in fenced blocks); a script stays as it is.
std::string notebook_text(const std::string& source) {
    json::error_code ec;
    const json::value v = json::parse(source, ec);
    if (ec || !v.is_object() || !v.get_object().contains("cells")) return source;
    std::string out;
    const auto& cells = v.get_object().at("cells");
    if (!cells.is_array()) return source;
    for (const auto& cell : cells.get_array()) {
        if (!cell.is_object()) continue;
        const auto& c = cell.get_object();
        const std::string type = c.contains("cell_type") && c.at("cell_type").is_string() ? std::string(c.at("cell_type").get_string()) : "";
        const std::string text = c.contains("source") ? cell_source(c.at("source")) : "";
        if (type == "code") out += "```python\n" + text + "\n```\n\n";
        else out += text + "\n\n";
    }
    return out;
}

/// Part `part` (1-based) of a long text, with a note when more follows.
std::string page(const std::string& text, std::size_t limit, long long part) {
    const std::size_t start = static_cast<std::size_t>(std::max(1LL, part) - 1) * limit;
    if (start >= text.size() && !text.empty()) throw ToolError("the text has only " + std::to_string((text.size() + limit - 1) / limit) + " part(s)");
    std::string out = text.substr(start, limit);
    if (start + limit < text.size()) out += "\n[part " + std::to_string(part) + " of " + std::to_string((text.size() + limit - 1) / limit) + "; continue with part=" + std::to_string(part + 1) + "]\n";
    return out;
}

kaggle::KernelSort sort_of(const std::string& name) {
    if (name == "new" || name == "newest") return kaggle::KernelSort::date_created;
    if (name == "hot" || name == "hotness") return kaggle::KernelSort::hotness;
    return kaggle::KernelSort::vote_count;
}

bool host_allowed(const std::string& host, const std::vector<std::string>& allowed) {
    const std::string h = to_lower(host);
    for (const auto& a : allowed) {
        const std::string entry = to_lower(a);
        if (h == entry) return true;
        if (entry.starts_with("*.") && h.size() > entry.size() - 1 && h.ends_with(entry.substr(1))) return true;
    }
    return false;
}

/// Visible text of an HTML page: scripts and styles dropped, tags removed, blank runs squeezed.
std::string html_text(const std::string& html) {
    std::string out;
    out.reserve(html.size() / 2);
    const std::string lower = to_lower(html);
    std::size_t i = 0;
    while (i < html.size()) {
        if (html[i] == '<') {
            for (const char* block : {"script", "style"}) {
                if (lower.compare(i + 1, std::strlen(block), block) == 0) {
                    const auto end = lower.find(std::string("</") + block, i);
                    i = end == std::string::npos ? html.size() : end;
                    break;
                }
            }
            const auto close = html.find('>', i);
            if (close == std::string::npos) break;
            out += ' ';
            i = close + 1;
            continue;
        }
        out += html[i++];
    }
    std::string squeezed;
    int newlines = 0;
    bool space = false;
    for (char c : out) {
        if (c == '\n' || c == '\r') {
            if (++newlines <= 2) squeezed += '\n';
            space = false;
        } else if (c == ' ' || c == '\t') {
            space = true;
        } else {
            if (space && !squeezed.empty() && squeezed.back() != '\n') squeezed += ' ';
            squeezed += c;
            newlines = 0;
            space = false;
        }
    }
    return squeezed;
}

std::string fetch_url(const ToolSettings& settings, const json::object& args) {
    std::string url = text_arg(args, "url", true);
    const http::Client client;
    for (int hop = 0; hop < 4; ++hop) {
        http::Url parsed;
        try {
            parsed = http::Url::parse(url);
        } catch (const std::exception& e) {
            throw ToolError(e.what());
        }
        if (!host_allowed(parsed.host, settings.tools.fetch_url_hosts))
            throw ToolError("fetch_url may reach only the hosts in config.json tools.fetch_url_hosts (" +
                            join(settings.tools.fetch_url_hosts, ", ") + "); " + parsed.host + " is not one of them");
        http::Request request;
        request.url = parsed.str();
        request.connect_timeout = std::chrono::milliseconds(15'000);
        request.read_timeout = std::chrono::milliseconds(30'000);
        const http::Response response = client.send(request);
        if (response.status >= 300 && response.status < 400 && !response.header("location").empty()) {
            url = parsed.resolve(response.header("location")).str();
            continue;
        }
        if (response.status >= 400) throw ToolError(url + " answered HTTP " + std::to_string(response.status));
        const bool html = to_lower(response.header("content-type")).find("html") != std::string::npos;
        return "[" + url + "]\n" + page(html ? html_text(response.body) : response.body, settings.tools.read_limit_bytes,
                                         int_arg(args, "part", 1));
    }
    throw ToolError(url + ": too many redirects");
}

}  // namespace

void add_research_tools(std::vector<ToolDefinition>& table, ToolHost& host, const ToolSettings& settings) {
    if (host.kaggle()) {
        table.push_back(
            {"kaggle_notebooks",
             "List the competition's public Kaggle notebooks (ref, title, votes, last run), most voted first or newest "
             "first; query filters by words of the title.",
             object_schema({{"query", property("string", "words the title must contain (optional)")},
                            {"sort", property("string", "votes (default), new or hot")},
                            {"limit", property("integer", "how many to list (default 20, at most 100)")}}),
             {"researcher"},
             [&host](const ToolCallContext&, const json::object& args) {
                 const auto& competition = host.host().competition().competition;
                 const int limit = static_cast<int>(std::clamp<long long>(int_arg(args, "limit", 20), 1, 100));
                 const std::string query = text_arg(args, "query", false);
                 std::ostringstream out;
                 int shown = 0;
                 for (const auto& k : host.kaggle()->list_kernels(competition, sort_of(text_arg(args, "sort", false, "votes")), 100)) {
                     if (!matches(k.title, query) || shown >= limit) continue;
                     ++shown;
                     out << k.ref << "  \"" << k.title << "\"  votes " << k.total_votes << "  last run " << k.last_run_time << "\n";
                 }
                 return shown ? out.str() : std::string("no notebooks match\n");
             }});
        table.push_back(
            {"kaggle_notebook",
             "Read one public Kaggle notebook or script by its ref (author/slug, from kaggle_notebooks): markdown and "
             "code cells as text, in parts of the read limit.",
             object_schema({{"ref", property("string", "author/slug")},
                            {"part", property("integer", "which part of a long notebook (1-based, default 1)")}},
                           {"ref"}),
             {"researcher"},
             [&host, &settings](const ToolCallContext&, const json::object& args) {
                 const std::string ref = text_arg(args, "ref", true);
                 const auto slash = ref.find('/');
                 if (slash == std::string::npos || slash == 0 || slash + 1 == ref.size())
                     throw ToolError("ref must be author/slug, as kaggle_notebooks lists it; got '" + ref + "'");
                 const auto kernel = host.kaggle()->get_kernel(ref.substr(0, slash), ref.substr(slash + 1));
                 return "[" + ref + ": " + kernel.metadata.title + "]\n" +
                        page(notebook_text(kernel.source), settings.tools.read_limit_bytes, int_arg(args, "part", 1));
             }});
        table.push_back(
            {"kaggle_discussions",
             "List the competition's discussion topics (title, author, date, votes, comments, url); query filters by "
             "words of the title. Read a topic with fetch_url when www.kaggle.com is an allowed host.",
             object_schema({{"query", property("string", "words the title must contain (optional)")}}),
             {"researcher"},
             [&host](const ToolCallContext&, const json::object& args) {
                 const std::string query = text_arg(args, "query", false);
                 std::ostringstream out;
                 int shown = 0;
                 for (const auto& t : host.kaggle()->list_discussions(host.host().competition().competition, 50)) {
                     if (!matches(t.title, query)) continue;
                     ++shown;
                     out << "\"" << t.title << "\"  by " << t.author << "  " << t.date << "  votes " << t.votes
                         << "  comments " << t.comments << "  " << t.url << "\n";
                 }
                 return shown ? out.str() : std::string("no topics match\n");
             }});
    }
    if (!settings.tools.fetch_url_hosts.empty()) {
        table.push_back({"fetch_url",
                         "Fetch a web page or file from one of the hosts allowed in config.json (" +
                             join(settings.tools.fetch_url_hosts, ", ") + "); HTML comes back as its visible text, "
                             "in parts of the read limit.",
                         object_schema({{"url", property("string", "an http(s) URL on an allowed host")},
                                        {"part", property("integer", "which part of a long page (1-based, default 1)")}},
                                       {"url"}),
                         {"researcher"},
                         [&settings](const ToolCallContext&, const json::object& args) {
                             return fetch_url(settings, args);
                         }});
    }
}

}  // namespace autokaggle::tools
