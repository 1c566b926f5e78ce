#include "runner/python_env.hpp"

#include <autokaggle/sdk/errors.hpp>

#include "base/process.hpp"

#include <boost/json/parse.hpp>

#include <array>
#include <chrono>
#include <csignal>
#include <sstream>

namespace autokaggle {

namespace fs = std::filesystem;
namespace proc = autokaggle::process;

namespace {

struct ModuleSpec {
    const char* module;
    const char* package;
    bool required;
};

constexpr std::array kModules{
    ModuleSpec{"numpy", "python3-numpy", true},   ModuleSpec{"pandas", "python3-pandas", true},
    ModuleSpec{"sklearn", "python3-sklearn", true}, ModuleSpec{"scipy", "python3-scipy", false},
    ModuleSpec{"xgboost", "python3-xgboost", false},
};

constexpr const char* kProbeMarker = "AUTOKAGGLE_PROBE ";
constexpr auto kProbeTimeout = std::chrono::seconds(60);

/// The probe: imports each module and prints one JSON line after a marker (imports may print).
std::string probe_script() {
    std::string names;
    for (const auto& m : kModules) names += std::string(names.empty() ? "" : ", ") + "'" + m.module + "'";
    return "import importlib, json, sys\n"
           "out = {'python': sys.version.split()[0], 'modules': {}}\n"
           "for name in [" + names + "]:\n"
           "    try:\n"
           "        m = importlib.import_module(name)\n"
           "        out['modules'][name] = {'version': str(getattr(m, '__version__', 'unknown'))}\n"
           "    except BaseException as e:\n"
           "        out['modules'][name] = {'error': type(e).__name__ + ': ' + str(e)}\n"
           "print('" + std::string(kProbeMarker) + "' + json.dumps(out))\n";
}

void parse_probe(const std::string& output, PythonCheck& check) {
    auto at = output.rfind(kProbeMarker);
    if (at == std::string::npos) {
        check.error = "it printed no module report";
        return;
    }
    std::string json_line = output.substr(at + std::char_traits<char>::length(kProbeMarker));
    json_line = json_line.substr(0, json_line.find('\n'));
    boost::system::error_code ec;
    auto value = boost::json::parse(json_line, ec);
    if (ec || !value.is_object()) {
        check.error = "its module report is not JSON (is it a Python 3 interpreter?)";
        return;
    }
    const auto& report = value.as_object();
    check.runs = true;
    if (auto* v = report.if_contains("python"); v && v->is_string()) check.python_version = v->as_string().c_str();
    const auto* modules = report.if_contains("modules");
    for (const auto& spec : kModules) {
        PythonModuleStatus status{spec.module, spec.package, spec.required, std::nullopt, "not reported"};
        if (modules && modules->is_object()) {
            if (const auto* m = modules->as_object().if_contains(spec.module); m && m->is_object()) {
                if (const auto* ver = m->as_object().if_contains("version"); ver && ver->is_string()) {
                    status.version = std::string(ver->as_string());
                    status.error.clear();
                } else if (const auto* err = m->as_object().if_contains("error"); err && err->is_string()) {
                    status.error = std::string(err->as_string());
                }
            }
        }
        check.modules.push_back(std::move(status));
    }
}

/// What an interpreter said on stderr, as one clean line for a message: its last non-empty line
/// (where Python puts the exception), trimmed and cut at a character boundary.
std::string stderr_summary(const std::string& text) {
    std::size_t end = text.find_last_not_of(" \t\r\n");
    if (end == std::string::npos) return {};
    std::size_t begin = text.find_last_of("\r\n", end);
    begin = begin == std::string::npos ? 0 : begin + 1;
    begin = text.find_first_not_of(" \t", begin);
    std::string line = text.substr(begin, end - begin + 1);
    constexpr std::size_t kMax = 300;
    if (line.size() > kMax) {
        std::size_t cut = kMax;
        while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
        line = line.substr(0, cut) + "...";
    }
    return line;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

}  // namespace

bool PythonCheck::ok() const { return runs && missing(true).empty(); }

std::vector<std::string> PythonCheck::missing(bool required_only) const {
    std::vector<std::string> out;
    if (!runs) {
        for (const auto& spec : kModules)
            if (spec.required || !required_only) out.emplace_back(spec.module);
        return out;
    }
    for (const auto& m : modules)
        if (!m.version && (m.required || !required_only)) out.push_back(m.module);
    return out;
}

std::string PythonCheck::install_command() const {
    std::vector<std::string> packages;
    for (const auto& name : missing(false))
        for (const auto& spec : kModules)
            if (name == spec.module) packages.emplace_back(spec.package);
    if (packages.empty()) return {};
    return "sudo apt-get install -y " + join(packages, " ");
}

std::string PythonCheck::report() const {
    std::ostringstream out;
    out << "Python " << interpreter.string();
    if (!runs) {
        out << ": cannot run experiments: " << error << "\n";
        return out.str();
    }
    out << " (" << python_version << ")\n";
    for (const auto& m : modules) {
        out << "  " << m.module << ": ";
        if (m.version) out << *m.version << "\n";
        else out << "MISSING" << (m.required ? " (required)" : " (recommended)") << " - " << m.error << "\n";
    }
    if (auto cmd = install_command(); !cmd.empty()) out << "  install with: " << cmd << "\n";
    return out.str();
}

PythonCheck check_python(const fs::path& interpreter) {
    PythonCheck check;
    check.interpreter = interpreter;
    auto found = proc::find_executable(interpreter.string());
    if (!found) {
        check.error = "not found" + std::string(interpreter.string().find('/') == std::string::npos ? " on PATH" : "") +
                      " or not executable";
        return check;
    }
    check.interpreter = *found;
    try {
        proc::ProcessSpec probe;
        probe.argv = {found->string(), "-c", probe_script()};
        probe.env = proc::Environment::inherited().for_generated_code();
        probe.out = proc::Output::capture();
        probe.err = proc::Output::capture();
        probe.death_signal = SIGKILL;
        probe.timeout = kProbeTimeout;
        auto done = proc::run(std::move(probe));
        if (done.status.timed_out) {
            check.error = "it did not answer within " + std::to_string(kProbeTimeout.count()) + " s";
            return check;
        }
        parse_probe(done.out, check);
        if (!check.runs) {
            const std::string said = stderr_summary(done.err);
            check.error += " (" + done.status.describe() + (said.empty() ? ")" : "; it said: " + said + ")");
        }
    } catch (const std::exception& e) {
        check.error = std::string("cannot start it: ") + e.what();
    }
    return check;
}

PythonChoice resolve_python(const fs::path& configured) {
    auto rejection = [](const std::string& what, const PythonCheck& check) {
        if (!check.runs) return what + ": " + check.error;
        return what + " (" + check.interpreter.string() + "): lacks " + join(check.missing(true), ", ");
    };
    if (!configured.empty()) {
        PythonCheck check = check_python(configured);
        if (check.ok()) return PythonChoice{check.interpreter, "configured in config.json (\"python\")", {}, check};
        std::vector<std::string> fixes;
        if (check.runs) fixes.push_back("install them with: " + check.install_command());
        if (configured != "/usr/bin/python3") {
            if (PythonCheck system = check_python("/usr/bin/python3"); system.ok())
                fixes.push_back("set \"python\": \"/usr/bin/python3\", which has numpy, pandas and sklearn");
        }
        if (fixes.empty()) fixes.push_back("set \"python\" to an interpreter with numpy, pandas and sklearn");
        throw ConfigError("config.json: python: " + rejection(configured.string(), check) + "; " + join(fixes, ", or "));
    }
    std::vector<std::pair<std::string, fs::path>> candidates{{"python3 on PATH", "python3"},
                                                             {"/usr/bin/python3", "/usr/bin/python3"}};
    PythonChoice choice;
    for (const auto& [what, path] : candidates) {
        PythonCheck check = check_python(path);
        if (check.ok()) {
            choice.interpreter = check.interpreter;
            choice.reason = what + (choice.rejected.empty() ? "" : " (" + join(choice.rejected, "; ") + ")");
            choice.check = std::move(check);
            return choice;
        }
        choice.rejected.push_back(rejection(what, check));
    }
    std::string fix = "sudo apt-get install -y python3-numpy python3-pandas python3-sklearn python3-scipy python3-xgboost";
    throw ConfigError("config.json: python: no interpreter with numpy, pandas and sklearn found (" +
                      join(choice.rejected, "; ") + "); install them with: " + fix +
                      ", or set \"python\" in config.json to an interpreter that has them");
}

}  // namespace autokaggle
