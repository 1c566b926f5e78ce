#include "command_scraper.hpp"

#include <autokaggle/support/atomic_file.hpp>
#include <autokaggle/support/plugin_options.hpp>
#include <autokaggle/support/process.hpp>
#include <autokaggle/support/text.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <chrono>
#include <csignal>
#include <sstream>
#include <unistd.h>

namespace autokaggle::command_scraper {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace proc = autokaggle::process;

namespace {

constexpr std::string_view source = "scraper-command";

std::string replace_all(std::string text, std::string_view from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

/// The last lines of a captured stream, for error messages (read from the end of the file).
std::string tail(const fs::path& file, std::size_t max_chars = 1500) {
    return text_tail(read_file_tail(file, max_chars + 1), max_chars);
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

Options Options::from_json(const json::object& options, const HostServices& host) {
    constexpr std::string_view section = "scraper.options";  // where the options stand in config.json
    const json::object o = with_schema_defaults(options_schema, options);
    Options opt;
    const fs::path root = host.paths().root;
    std::string command = string_option(o, section, "command");
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
    const std::string interpreter = string_option(o, section, "interpreter");
    opt.interpreter = interpreter.empty() ? interpreter_for(opt.command, host) : fs::path(interpreter);
    if (opt.interpreter.empty() && ::access(opt.command.c_str(), X_OK) != 0)
        throw ConfigError("scraper_path: " + opt.command.string() +
                          " is not executable; chmod +x it, or set the \"interpreter\" option");
    opt.timeout_s = number_option(o, section, "timeout_s");
    if (!(opt.timeout_s > 0 && opt.timeout_s <= 31536000))
        throw ConfigError("scraper.options.timeout_s is " + std::to_string(opt.timeout_s) +
                          "; it must be more than 0 and at most 31536000 (seconds)");
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

    // The user's own script: it sees the user's environment (it may need Kaggle credentials).
    proc::ProcessSpec spec;
    spec.argv.push_back(exe.string());
    spec.argv.insert(spec.argv.end(), argv.begin(), argv.end());
    spec.cwd = host_.paths().root;
    proc::Environment env = proc::Environment::inherited();
    env.set("AUTOKAGGLE_ROUND", round);
    env.set("AUTOKAGGLE_RAW_OUTPUT", scratch.string());
    env.set("AUTOKAGGLE_STATE_DIR", request.state_dir.string());
    env.set("AUTOKAGGLE_COMPETITION", competition);
    env.set("AUTOKAGGLE_WORKSPACE", host_.paths().root.string());
    spec.env = std::move(env);
    spec.out = proc::Output::file(out_log);
    spec.err = proc::Output::file(err_log);
    spec.death_signal = SIGTERM;
    spec.timeout = std::chrono::milliseconds(static_cast<long long>(options_.timeout_s * 1000));
    spec.should_stop = [this] { return host_.cancel_requested(); };

    host_.log(LogLevel::info, source, "running " + options_.command.string());
    const proc::ExitStatus status = proc::run(std::move(spec)).status;
    if (status.stopped) throw Cancelled("scraper " + options_.command.string() + " cancelled");
    if (status.timed_out)
        throw ServiceError("scraper " + options_.command.string() + " timed out after " +
                               std::to_string(static_cast<long long>(options_.timeout_s)) +
                               " s (raise the command scraper's timeout_s option)",
                           0, "timeout");
    if (status.exit_code != 0)
        throw ServiceError("scraper " + options_.command.string() + " failed with " + status.describe() + ":\n" +
                               tail(err_log),
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
