#include "tools/prompt_facts.hpp"

#include "base/atomic_file.hpp"
#include "base/text.hpp"
#include "tools/scratch_run.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <sys/stat.h>

namespace autokaggle::tools {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* kMarker = "AUTOKAGGLE_ENVIRONMENT ";

/// Finds each package without importing it (torch takes seconds to import), reads its version
/// from the installed metadata, and asks nvidia-smi for GPUs.
constexpr const char* kProbe = R"PY(import importlib.util, importlib.metadata, json, shutil, subprocess
names = ["numpy", "pandas", "sklearn", "scipy", "xgboost", "lightgbm", "catboost", "torch", "tensorflow",
         "polars", "optuna", "statsmodels"]
dist = {"sklearn": "scikit-learn"}
out = {"importable": [], "missing": []}
for n in names:
    try:
        found = importlib.util.find_spec(n) is not None
    except Exception:
        found = False
    if not found:
        out["missing"].append(n)
        continue
    try:
        v = importlib.metadata.version(dist.get(n, n))
    except Exception:
        v = "version unknown"
    out["importable"].append(n + " " + v)
gpu = "no GPU visible"
smi = shutil.which("nvidia-smi")
if smi:
    try:
        r = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=10)
        lines = [l.strip() for l in r.stdout.splitlines() if l.strip()]
        if r.returncode == 0 and lines:
            gpu = "; ".join(lines)
    except Exception:
        pass
out["gpu"] = gpu
print("AUTOKAGGLE_ENVIRONMENT " + json.dumps(out), flush=True)
)PY";

/// The interpreter's identity for the cache: its resolved path, size and modification time.
std::string interpreter_key(const fs::path& python) {
    std::error_code ec;
    const fs::path real = fs::canonical(python, ec);
    struct stat st {};
    if (ec || ::stat(real.c_str(), &st) != 0) return python.string();
    return real.string() + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtime);
}

std::vector<std::string> strings_of(const json::object& o, const char* key) {
    std::vector<std::string> out;
    if (const auto* a = o.if_contains(key); a && a->is_array())
        for (const auto& v : a->get_array())
            if (v.is_string()) out.emplace_back(v.get_string());
    return out;
}

PythonEnvironment from_json(const json::object& o) {
    PythonEnvironment env;
    env.importable = strings_of(o, "importable");
    env.missing = strings_of(o, "missing");
    if (const auto* g = o.if_contains("gpu"); g && g->is_string()) env.gpu = std::string(g->get_string());
    return env;
}

}  // namespace

PythonEnvironment probe_environment(ToolHost& host) {
    const auto& paths = host.host().paths();
    const fs::path cache = paths.agents / "environment.json";
    PythonEnvironment unknown;
    unknown.gpu = "unknown (the probe did not run)";
    fs::path python;
    try {
        python = scratch_python(host);
    } catch (const std::exception& e) {
        unknown.gpu = std::string("unknown (") + e.what() + ")";
        return unknown;
    }
    const std::string key = interpreter_key(python);
    if (auto text = read_file_if_exists(cache)) {
        json::error_code ec;
        const json::value v = json::parse(*text, ec);
        if (!ec && v.is_object() && v.get_object().contains("interpreter") &&
            v.get_object().at("interpreter") == json::value(key))
            return from_json(v.get_object());
    }
    try {
        const fs::path dir = paths.root / "scratch" / ".probe";
        fs::create_directories(dir);
        RunSpec spec;
        spec.label = "environment_probe";
        spec.script = dir / "environment_probe.py";
        spec.work_dir = dir;
        spec.log_file = dir / "environment_probe.log";
        spec.python = python;
        spec.data_dir = paths.data;
        spec.timeout_s = 120;
        atomic_write(spec.script, kProbe);
        const ScratchOutcome run = run_to_end(host, spec, 20'000);
        const auto at = run.output.find(kMarker);
        if (at == std::string::npos) {
            unknown.gpu = "unknown (the probe printed no result: " + std::string(to_string(run.end.status)) + ")";
            return unknown;
        }
        const std::string line = run.output.substr(at + std::string(kMarker).size(),
                                                   run.output.find('\n', at) - at - std::string(kMarker).size());
        json::object doc = json::parse(line).as_object();
        doc["interpreter"] = key;
        atomic_write(cache, json::serialize(doc) + "\n");
        return from_json(doc);
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        host.host().log(LogLevel::warn, "tools", std::string("the Python environment probe failed: ") + e.what());
        unknown.gpu = std::string("unknown (the probe failed: ") + e.what() + ")";
        return unknown;
    }
}

std::map<std::string, std::string> prompt_facts(ToolHost& host, const ToolSurface& surface, std::string_view role) {
    std::map<std::string, std::string> facts;
    const PythonEnvironment env = probe_environment(host);
    facts["python_packages"] =
        (env.importable.empty() ? std::string("unknown") : join(env.importable, ", ")) +
        (env.missing.empty() ? std::string() : " (not installed: " + join(env.missing, ", ") + ")");
    facts["gpu"] = env.gpu;
    const auto& competition = host.host().competition();
    const auto& paths = host.host().paths();
    auto shown = [&](const fs::path& p) {
        const fs::path rel = p.lexically_relative(paths.root);
        return rel.empty() || rel.native().starts_with("..") ? p.string() : rel.generic_string();
    };
    facts["best_pipeline_script"] = competition.best_pipeline_script
                                        ? shown(*competition.best_pipeline_script) +
                                              " (a pipeline that worked before; start from it when it fits)"
                                        : std::string("none configured");
    std::vector<std::string> names;
    for (const auto& spec : surface.specs(role)) names.push_back(spec.name);
    facts["tools"] = join(names, ", ");

    std::vector<std::string> sources{"the scraper's findings in rounds/R{NN}_research_raw.md when the trigger names it"};
    if (!competition.knowledge_files.empty()) {
        std::vector<std::string> files;
        for (const auto& k : competition.knowledge_files) files.push_back(shown(k));
        sources.push_back("the knowledge files " + join(files, ", "));
    }
    if (surface.offers("researcher", "kaggle_notebooks"))
        sources.push_back("Kaggle's public notebooks and discussion topics of this competition (kaggle_notebooks, "
                          "kaggle_notebook, kaggle_discussions)");
    if (surface.offers("researcher", "fetch_url")) sources.push_back("web pages of the allowed hosts (fetch_url)");
    sources.push_back("results.tsv, experiments.json, the earlier briefs and findings, LEARNINGS.md");
    sources.push_back("the data itself, analysed with run_python");
    facts["research_sources"] = "- " + join(sources, "\n- ");
    return facts;
}

}  // namespace autokaggle::tools
