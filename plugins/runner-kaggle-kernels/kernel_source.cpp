#include "kernel_source.hpp"

#include <autokaggle/support/text.hpp>
#include <autokaggle/support/kaggle_credentials.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>

namespace autokaggle::kaggle_kernels {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::string_view kDataToken = "@@AUTOKAGGLE_DATA_DIR@@";
constexpr std::string_view kWorkingToken = "@@AUTOKAGGLE_WORKING@@";
constexpr std::string_view kInputsToken = "@@AUTOKAGGLE_INPUTS@@";
constexpr std::size_t kMaxTitle = 50;

/// `value` with `root` replaced by `token` when value is root or lies under it.
std::optional<std::string> under(std::string_view value, const fs::path& root, std::string_view token) {
    if (root.empty()) return std::nullopt;
    std::string r = root.lexically_normal().string();
    while (r.size() > 1 && r.back() == '/') r.pop_back();
    if (value == r) return std::string(token);
    if (value.size() > r.size() && value.substr(0, r.size()) == r && value[r.size()] == '/')
        return std::string(token) + std::string(value.substr(r.size()));
    return std::nullopt;
}

}  // namespace

std::string slugify(std::string_view title) {
    std::string out;
    bool dash = false;
    for (char c : title) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) && u < 128) {
            if (dash && !out.empty()) out += '-';
            dash = false;
            out += static_cast<char>(std::tolower(u));
        } else {
            dash = true;
        }
    }
    return out;
}

std::string kernel_title(std::string_view prefix, std::string_view competition, std::string_view label) {
    std::string tail(label);
    std::replace(tail.begin(), tail.end(), '_', ' ');
    std::string head = prefix.empty() ? "autokaggle " + std::string(competition) : std::string(prefix);
    // The label (R03 experiment) is what tells kernels apart: the head gives way.
    std::size_t room = kMaxTitle > tail.size() + 1 ? kMaxTitle - tail.size() - 1 : 0;
    if (head.size() > room) head.resize(room);
    while (!head.empty() && !std::isalnum(static_cast<unsigned char>(head.back()))) head.pop_back();
    return head.empty() ? tail : head + " " + tail;
}

std::string kernel_value(const RunSpec& spec, std::string_view value) {
    for (const auto& input : spec.inputs)
        if (value == input.lexically_normal().string()) return std::string(kInputsToken) + "/" + input.filename().string();
    if (auto v = under(value, spec.data_dir, kDataToken)) return *v;
    if (auto v = under(value, spec.work_dir, kWorkingToken)) return *v;
    return std::string(value);
}

std::string launcher_source(const RunSpec& spec, std::string_view script_text, std::string_view competition,
                            const std::map<std::string, std::string>& inputs) {
    json::object payload;
    payload["competition"] = competition;
    payload["label"] = spec.label;
    payload["script"] = script_text;
    json::object files;
    for (const auto& [name, bytes] : inputs) files[name] = kaggle::base64_encode(bytes);
    payload["inputs"] = std::move(files);
    json::array args;
    for (const auto& a : spec.args) args.emplace_back(kernel_value(spec, a));
    payload["args"] = std::move(args);
    json::object env;
    for (const auto& [name, value] : spec.env) env[name] = kernel_value(spec, value);
    payload["env"] = std::move(env);
    // Base64 keeps the script byte-exact whatever quotes or backslashes it holds.
    std::string embedded = kaggle::base64_encode(json::serialize(payload));

    std::string out;
    out += "# AutoKaggle kernel launcher for " + slugify(spec.label) + ": runs the embedded experiment script\n";
    out += "# with the script contract's arguments pointing at this kernel's input and working folders.\n";
    out += "import base64, json, os, subprocess, sys, tempfile\n\n";
    out += "SPEC = json.loads(base64.b64decode(\n";
    for (std::size_t i = 0; i < embedded.size(); i += 96) out += "    \"" + embedded.substr(i, 96) + "\"\n";
    if (embedded.empty()) out += "    \"\"\n";
    out += "    ).decode(\"utf-8\"))\n";
    out += R"PY(INPUT_ROOT = os.environ.get("AUTOKAGGLE_KAGGLE_INPUT", "/kaggle/input")
WORKING = os.environ.get("AUTOKAGGLE_KAGGLE_WORKING", "/kaggle/working")


def competition_data():
    for candidate in (os.path.join(INPUT_ROOT, SPEC["competition"]),
                      os.path.join(INPUT_ROOT, "competitions", SPEC["competition"])):
        if os.path.isdir(candidate):
            return candidate
    print("[autokaggle-launcher] warning: no folder %s/%s: is the competition attached as a data source?"
          % (INPUT_ROOT, SPEC["competition"]), flush=True)
    return os.path.join(INPUT_ROOT, SPEC["competition"])


def place(value, data_dir, inputs):
    return (value.replace("@@AUTOKAGGLE_DATA_DIR@@", data_dir).replace("@@AUTOKAGGLE_WORKING@@", WORKING)
            .replace("@@AUTOKAGGLE_INPUTS@@", inputs))


def main():
    data_dir = competition_data()
    os.makedirs(WORKING, exist_ok=True)
    # The script lives outside the working folder so it is not collected as an output.
    folder = tempfile.mkdtemp(prefix="autokaggle-")
    script = os.path.join(folder, SPEC["label"] + ".py")
    with open(script, "w", encoding="utf-8") as f:
        f.write(SPEC["script"])
    inputs = os.path.join(folder, "inputs")  # files the script reads besides the data (the folds)
    os.makedirs(inputs)
    for name, content in SPEC["inputs"].items():
        with open(os.path.join(inputs, name), "wb") as f:
            f.write(base64.b64decode(content))
    env = dict(os.environ)
    env.update({name: place(value, data_dir, inputs) for name, value in SPEC["env"].items()})
    env["PYTHONUNBUFFERED"] = "1"
    args = [place(a, data_dir, inputs) for a in SPEC["args"]]
    print("[autokaggle-launcher] running %s with data in %s" % (SPEC["label"], data_dir), flush=True)
    code = subprocess.call([sys.executable, script] + args, cwd=WORKING, env=env)
    if code < 0:
        print("[autokaggle-launcher] the script was killed by signal %d" % -code, flush=True)
        sys.exit(128 - code)
    print("[autokaggle-launcher] the script exited with code %d" % code, flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
)PY";
    return out;
}

std::string log_text(std::string_view kaggle_log) {
    auto first = kaggle_log.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || kaggle_log[first] != '[') return std::string(kaggle_log);
    boost::system::error_code ec;
    json::value parsed = json::parse(kaggle_log, ec);
    if (ec || !parsed.is_array()) return std::string(kaggle_log);
    std::string out;
    for (const auto& entry : parsed.as_array()) {
        if (!entry.is_object()) return std::string(kaggle_log);
        const auto* data = entry.as_object().if_contains("data");
        if (data && data->is_string()) out += data->as_string();
    }
    return out;
}

RunStatus classify_failure(std::string_view failure_message) {
    std::string m = to_lower(failure_message);
    if (contains(m, "out of memory") || contains(m, "memory limit") || contains(m, "exceeded memory") ||
        contains(m, "oom") || contains(m, "memoryerror"))
        return RunStatus::oom;
    if (contains(m, "timeout") || contains(m, "timed out") || contains(m, "time limit") ||
        contains(m, "maximum run time") || contains(m, "exceeded the maximum"))
        return RunStatus::timeout;
    return RunStatus::crash;
}

bool is_accelerator_limit(std::string_view error, std::string* what) {
    std::string m = to_lower(error);
    auto set = [&](const char* name) {
        if (what) *what = name;
        return true;
    };
    bool accelerator = contains(m, "gpu") || contains(m, "tpu") || contains(m, "accelerator");
    if (accelerator && (contains(m, "quota") || contains(m, "hours") || contains(m, "weekly") || contains(m, "usage limit")))
        return set("weekly accelerator quota");
    if (contains(m, "concurrent") || contains(m, "maximum number of") || contains(m, "too many") ||
        contains(m, "sessions running") || contains(m, "already running"))
        return set("concurrent session limit");
    if (accelerator && (contains(m, "limit") || contains(m, "exceed") || contains(m, "not available") ||
                        contains(m, "unavailable") || contains(m, "verif")))
        return set("accelerator not available");
    return false;
}

bool safe_output_name(std::string_view name) {
    if (name.empty() || name.front() == '/' || name.find('\\') != std::string_view::npos ||
        name.find('\0') != std::string_view::npos)
        return false;
    std::size_t start = 0;
    while (start <= name.size()) {
        auto end = name.find('/', start);
        if (end == std::string_view::npos) end = name.size();
        std::string_view part = name.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") return false;
        start = end + 1;
    }
    return true;
}

}  // namespace autokaggle::kaggle_kernels
