#include "command_scraper.hpp"

#include "base/atomic_file.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/group.hpp>
#include <boost/process/io.hpp>
#include <boost/process/start_dir.hpp>

#include <chrono>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace autokaggle::command_scraper {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace bp = boost::process;

namespace {

constexpr std::string_view source = "scraper-command";

std::string replace_all(std::string text, std::string_view from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

/// The last lines of a captured stream, for error messages.
std::string tail(const fs::path& file, std::size_t max_chars = 1500) {
    auto text = read_file_if_exists(file).value_or("");
    if (text.size() > max_chars) text = "..." + text.substr(text.size() - max_chars);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

fs::path interpreter_for(const fs::path& command, const HostServices& host) {
    if (command.extension() == ".py") {
        fs::path python = host.competition().python;
        return python.empty() ? fs::path("/usr/bin/python3") : python;
    }
    if (command.extension() == ".sh") return "/bin/sh";
    return {};
}

}  // namespace

Options Options::from_json(const json::object& o, const HostServices& host) {
    Options opt;
    const fs::path root = host.paths().root;
    std::string command;
    if (const auto* v = o.if_contains("command"); v && v->is_string()) command = std::string(v->as_string());
    if (command.empty())
        if (const auto* v = host.config().if_contains("scraper_path"); v && v->is_string()) command = std::string(v->as_string());
    if (command.empty())
        throw ConfigError("scraper.options.command: no scraper script; set \"scraper_path\" in config.json or the "
                          "command option of the \"command\" scraper");
    opt.command = fs::path(command).is_absolute() ? fs::path(command) : (root / command).lexically_normal();
    if (!fs::is_regular_file(opt.command))
        throw ConfigError("scraper_path: " + opt.command.string() + " does not exist; point it at your scraper script");
    if (const auto* v = o.if_contains("args"); v && v->is_array())
        for (const auto& a : v->as_array()) {
            if (!a.is_string()) throw ConfigError("scraper.options.args: every argument must be a string");
            opt.args.emplace_back(a.as_string());
        }
    std::string interpreter;
    if (const auto* v = o.if_contains("interpreter"); v && v->is_string()) interpreter = std::string(v->as_string());
    opt.interpreter = interpreter.empty() ? interpreter_for(opt.command, host) : fs::path(interpreter);
    if (opt.interpreter.empty() && ::access(opt.command.c_str(), X_OK) != 0)
        throw ConfigError("scraper_path: " + opt.command.string() +
                          " is not executable; chmod +x it, or set the \"interpreter\" option");
    if (const auto* v = o.if_contains("timeout_s"); v && v->is_number()) opt.timeout_s = v->to_number<double>();
    return opt;
}

CommandScraper::CommandScraper(Options options, HostServices& host) : options_(std::move(options)), host_(host) {}

int count_items(const std::string& markdown) {
    int headings = 0;
    bool any_text = false;
    std::istringstream in(markdown);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("## ", 0) == 0 || line.rfind("### ", 0) == 0) ++headings;
        // A lone title ("# Round 3") is not an item; any other text is at least one.
        if (line.find_first_not_of(" \t\r") != std::string::npos && line.rfind("# ", 0) != 0) any_text = true;
    }
    return headings > 0 ? headings : (any_text ? 1 : 0);
}

ScrapeResult CommandScraper::scrape(const ScrapeRequest& request) {
    fs::create_directories(request.state_dir);
    // The script writes here; the round's file is then replaced atomically from it.
    const fs::path scratch = request.state_dir / "command_output.md";
    const fs::path out_log = request.state_dir / "command_stdout.txt";
    const fs::path err_log = request.state_dir / "command_stderr.txt";
    std::error_code ignore;
    fs::remove(scratch, ignore);

    char round[8];
    std::snprintf(round, sizeof round, "%d", request.round);
    const std::string competition = host_.competition().competition;
    std::vector<std::string> argv;
    if (!options_.interpreter.empty()) argv.push_back(options_.command.string());
    for (const auto& a : options_.args) {
        std::string arg = replace_all(a, "{round}", round);
        arg = replace_all(arg, "{output}", scratch.string());
        arg = replace_all(arg, "{state_dir}", request.state_dir.string());
        argv.push_back(replace_all(arg, "{competition}", competition));
    }
    const fs::path exe = options_.interpreter.empty() ? options_.command : options_.interpreter;

    bp::environment env = boost::this_process::environment();
    env["AUTOKAGGLE_ROUND"] = round;
    env["AUTOKAGGLE_RAW_OUTPUT"] = scratch.string();
    env["AUTOKAGGLE_STATE_DIR"] = request.state_dir.string();
    env["AUTOKAGGLE_COMPETITION"] = competition;
    env["AUTOKAGGLE_WORKSPACE"] = host_.paths().root.string();

    host_.log(LogLevel::info, source, "running " + options_.command.string());
    bp::group group;
    bp::child child(bp::exe = exe.string(), bp::args = argv, env, bp::std_in < bp::null,
                    bp::std_out > out_log.string(), bp::std_err > err_log.string(),
                    bp::start_dir = host_.paths().root.string(), group);
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<long long>(options_.timeout_s * 1000));
    while (child.running()) {
        std::string stop;
        if (host_.cancel_requested()) stop = "cancelled";
        else if (std::chrono::steady_clock::now() >= deadline) stop = "timed out";
        if (!stop.empty()) {
            group.terminate();
            child.wait();
            if (stop == "cancelled") throw Cancelled("scraper " + options_.command.string() + " cancelled");
            throw ServiceError("scraper " + options_.command.string() + " timed out after " +
                                   std::to_string(static_cast<long long>(options_.timeout_s)) +
                                   " s (raise the command scraper's timeout_s option)",
                               0, "timeout");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    child.wait();
    if (child.exit_code() != 0)
        throw ServiceError("scraper " + options_.command.string() + " failed with exit code " +
                               std::to_string(child.exit_code()) + ":\n" + tail(err_log),
                           0, "scraper_failed");

    std::string markdown = read_file_if_exists(scratch).value_or("");
    if (markdown.find_first_not_of(" \t\r\n") == std::string::npos) markdown = read_file_if_exists(out_log).value_or("");
    int items = count_items(markdown);
    if (markdown.find_first_not_of(" \t\r\n") == std::string::npos) markdown = "# Research, round " + std::string(round) + "\n\nThe scraper " + options_.command.filename().string() +
                               " reported nothing new.\n";
    atomic_write(request.raw_output, markdown);
    fs::remove(scratch, ignore);
    std::string summary = std::to_string(items) + " item(s) from " + options_.command.filename().string();
    host_.log(LogLevel::info, source, summary);
    return ScrapeResult{items, summary};
}

}  // namespace autokaggle::command_scraper
