// The plugin host. Order of trust when loading a library: the ABI number first (nothing else in
// the descriptor is read when it differs, because the layout may differ too), then the kind,
// then the name and the rest. Factories are looked up with the kind's exact type only after
// those checks, and every object a factory returns is wrapped in a guard that keeps the library
// loaded and turns the plugin's exceptions into host errors naming the plugin.
#include "base/plugin_host.hpp"

#include "base/config.hpp"
#include "base/text.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/dll/shared_library.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <array>
#include <cstdlib>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>

#ifndef AUTOKAGGLE_PLUGIN_SUBDIR
#define AUTOKAGGLE_PLUGIN_SUBDIR "lib/autokaggle/plugins"
#endif

namespace autokaggle {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

using Library = boost::dll::shared_library;
using LibraryPtr = std::shared_ptr<Library>;

constexpr std::array<std::string_view, 6> kKinds{"agent", "llm", "metric", "submitter", "scraper", "runner"};
constexpr std::array<std::string_view, 6> kOptionTypes{"string", "number", "integer", "boolean", "array", "object"};

bool is_known_kind(std::string_view kind) {
    return std::find(kKinds.begin(), kKinds.end(), kind) != kKinds.end();
}

std::string describe_kind_list() { return join(std::vector<std::string>(kKinds.begin(), kKinds.end()), ", "); }

/// A plugin library that passed every check at load time.
struct LoadedPlugin {
    PluginInfo info;
    LibraryPtr library;
};

/// A failure plus what we learnt about the plugin before it failed (for "not found" hints).
struct RecordedFailure {
    PluginLoadFailure failure;
    std::string kind, name;  ///< empty when the failure came before they could be read
};

class LoadError : public std::runtime_error {
public:
    LoadError(std::string reason, std::string kind = {}, std::string name = {})
        : std::runtime_error(std::move(reason)), kind_(std::move(kind)), name_(std::move(name)) {}
    const std::string& kind() const { return kind_; }
    const std::string& name() const { return name_; }

private:
    std::string kind_, name_;
};

std::vector<std::string> split_provides(const char* provides) {
    std::vector<std::string> out;
    if (!provides) return out;
    for (auto& item : split(provides, ',')) {
        std::string t = trim(item);
        if (!t.empty()) out.push_back(std::move(t));
    }
    return out;
}

std::string_view json_type_name(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null: return "null";
        case json::kind::bool_: return "boolean";
        case json::kind::int64:
        case json::kind::uint64: return "integer";
        case json::kind::double_: return "number";
        case json::kind::string: return "string";
        case json::kind::array: return "array";
        case json::kind::object: return "object";
    }
    return "unknown";
}

bool matches_type(const json::value& v, std::string_view type) {
    if (type == "string") return v.is_string();
    if (type == "number") return v.is_number();
    if (type == "integer") {
        if (v.is_int64() || v.is_uint64()) return true;
        // A whole number within range: converting 1e300 to an integer would be undefined.
        return v.is_double() && std::trunc(v.get_double()) == v.get_double() && std::abs(v.get_double()) < 9.2e18;
    }
    if (type == "boolean") return v.is_bool();
    if (type == "array") return v.is_array();
    if (type == "object") return v.is_object();
    return false;
}

/// Checks the options schema a plugin declares, so that a broken schema is the plugin author's
/// error at load time and not a confusing config error later.
json::object parse_options_schema(const char* text) {
    if (!text || !*text) return {};
    std::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) throw LoadError(std::string("options_schema is not valid JSON (") + ec.message() + ")");
    if (!v.is_object()) throw LoadError("options_schema must be a JSON object of option -> {type, default, doc}");
    for (const auto& [key, spec] : v.as_object()) {
        std::string option(key);
        if (!spec.is_object()) throw LoadError("options_schema: option '" + option + "' must be an object {type, default, doc}");
        const auto& s = spec.as_object();
        const json::value* type = s.if_contains("type");
        if (!type || !type->is_string() ||
            std::find(kOptionTypes.begin(), kOptionTypes.end(), std::string_view(type->as_string())) == kOptionTypes.end())
            throw LoadError("options_schema: option '" + option + "' needs \"type\": one of " +
                            join(std::vector<std::string>(kOptionTypes.begin(), kOptionTypes.end()), ", "));
        if (const json::value* def = s.if_contains("default");
            def && !def->is_null() && !matches_type(*def, type->as_string()))
            throw LoadError("options_schema: option '" + option + "' has a default of type " +
                            std::string(json_type_name(*def)) + " but declares type " + std::string(type->as_string()));
    }
    return std::move(v.as_object());
}

/// Why dlopen refused a library, from the loader's message (which names the file and the symbol).
std::string describe_load_error(const std::string& loader_message) {
    constexpr std::string_view marker = "undefined symbol: ";
    const auto at = loader_message.find(marker);
    if (at == std::string::npos) return "cannot load the library: " + loader_message;
    const auto start = at + marker.size();
    const auto end = loader_message.find_first_of(" ,)\n", start);
    return "unresolved symbol " + loader_message.substr(start, end == std::string::npos ? end : end - start) +
           ": the plugin was built against other AutoKaggle libraries than this host's; rebuild it against this "
           "installation (" + loader_message + ")";
}

/// Reads and checks one library. Throws LoadError with the reason on any problem.
LoadedPlugin load_plugin(const fs::path& path) {
    auto library = std::make_shared<Library>();
    try {
        // Immediate binding: a symbol the plugin needs and this host lacks (a plugin built
        // against other AutoKaggle libraries) fails here, recorded, instead of aborting the
        // process at the plugin's first call.
        library->load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        throw LoadError(describe_load_error(e.what()));
    }
    if (!library->has(AUTOKAGGLE_DESCRIPTOR_SYMBOL))
        throw LoadError("no " AUTOKAGGLE_DESCRIPTOR_SYMBOL " symbol: not an AutoKaggle plugin "
                        "(export one with AUTOKAGGLE_PLUGIN from <autokaggle/sdk/plugin.hpp>)");
    const auto& d = library->get_alias<const autokaggle_plugin_descriptor>(AUTOKAGGLE_DESCRIPTOR_SYMBOL);
    // Nothing but abi_version may be read before this check: another ABI may lay out the rest differently.
    if (d.abi_version != AUTOKAGGLE_ABI_VERSION)
        throw LoadError("ABI mismatch: got " + std::to_string(d.abi_version) + ", supported " +
                        std::to_string(AUTOKAGGLE_ABI_VERSION) + " - rebuild the plugin against this SDK");
    std::string kind = d.kind ? d.kind : "";
    if (!is_known_kind(kind))
        throw LoadError("unknown plugin kind '" + kind + "' (allowed: " + describe_kind_list() + ")");
    std::string name = d.name ? d.name : "";
    if (name.empty()) throw LoadError("the descriptor has an empty name", kind);
    PluginInfo info;
    info.kind = kind;
    info.name = name;
    info.version = d.version ? d.version : "";
    info.description = d.description ? d.description : "";
    info.provides = split_provides(d.provides);
    try {
        info.options_schema = parse_options_schema(d.options_schema);
    } catch (const LoadError& e) {
        throw LoadError(e.what(), kind, name);
    }
    if (!library->has(AUTOKAGGLE_FACTORY_SYMBOL))
        throw LoadError("no " AUTOKAGGLE_FACTORY_SYMBOL " symbol: the plugin exports a descriptor but no factory "
                        "(export both with AUTOKAGGLE_PLUGIN)",
                        kind, name);
    info.path = path;
    return LoadedPlugin{std::move(info), std::move(library)};
}

/// The library files of one folder, sorted so that the scan order never depends on the filesystem.
std::vector<fs::path> library_files(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (it->path().extension() == ".so" && it->is_regular_file(type_ec)) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

fs::path canonical_or_self(const fs::path& p) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(p, ec);
    return ec ? p : c;
}

// --- The boundary guard --------------------------------------------------------------------------

/// Runs `f`, re-throwing whatever the plugin threw as a host error whose message starts with
/// `label` and whose category is kept (callers rely on Cancelled, ConfigError, ServiceError).
template <class F>
decltype(auto) guarded(const std::string& label, F&& f) {
    try {
        return f();
    } catch (const Cancelled& e) {
        throw Cancelled(label + e.what());
    } catch (const ConfigError& e) {
        throw ConfigError(label + e.what());
    } catch (const ServiceError& e) {
        throw ServiceError(label + e.what(), e.status(), e.type(), e.request_id());
    } catch (const MetricError& e) {
        throw MetricError(label + e.what());
    } catch (const std::exception& e) {
        throw Error(label + e.what());
    } catch (...) {
        throw Error(label + "threw a non-standard exception");
    }
}

/// Holds the plugin object and its library; the object is destroyed before the library can be
/// unloaded (members are destroyed in reverse order, and the destructor resets explicitly).
template <class Interface>
class Guard {
public:
    Guard(LibraryPtr library, std::string label, std::unique_ptr<Interface> inner)
        : library_(std::move(library)), label_(std::move(label)), inner_(std::move(inner)) {}
    ~Guard() { inner_.reset(); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

protected:
    template <class F>
    decltype(auto) call(F&& f) const {
        return guarded(label_, [&]() -> decltype(auto) { return f(*inner_); });
    }
    const LibraryPtr& library() const { return library_; }
    const std::string& label() const { return label_; }

private:
    LibraryPtr library_;
    std::string label_;
    std::unique_ptr<Interface> inner_;
};

class GuardedAgent final : public Agent, Guard<Agent> {
public:
    using Guard::Guard;
    std::string run_phase(const PhaseRequest& r) override { return call([&](Agent& a) { return a.run_phase(r); }); }
    void respawn(const fs::path& summary) override { call([&](Agent& a) { a.respawn(summary); }); }
    std::string session_id() const override { return call([](Agent& a) { return a.session_id(); }); }
};

class GuardedLlm final : public LlmProvider, Guard<LlmProvider> {
public:
    using Guard::Guard;
    ChatResponse chat(const ChatRequest& r) override { return call([&](LlmProvider& p) { return p.chat(r); }); }
    std::string model() const override { return call([](LlmProvider& p) { return p.model(); }); }
    long long context_window() const override { return call([](LlmProvider& p) { return p.context_window(); }); }
};

class GuardedMetric final : public Metric, Guard<Metric> {
public:
    using Guard::Guard;
    std::string name() const override { return call([](Metric& m) { return m.name(); }); }
    Direction direction() const override { return call([](Metric& m) { return m.direction(); }); }
    PredictionKind prediction_kind() const override { return call([](Metric& m) { return m.prediction_kind(); }); }
    bool order_only() const override { return call([](Metric& m) { return m.order_only(); }); }
    FastScoring fast_scoring() const override { return call([](Metric& m) { return m.fast_scoring(); }); }
    SubmissionFormat submission_format() const override { return call([](Metric& m) { return m.submission_format(); }); }
    std::vector<std::string> kaggle_names() const override { return call([](Metric& m) { return m.kaggle_names(); }); }
    double score(const MetricInput& in) const override { return call([&](Metric& m) { return m.score(in); }); }
};

class GuardedSubmitter final : public Submitter, Guard<Submitter> {
public:
    using Guard::Guard;
    SubmissionInfo submit(const SubmissionRequest& r) override { return call([&](Submitter& s) { return s.submit(r); }); }
    SubmissionInfo status(const std::string& ref) override { return call([&](Submitter& s) { return s.status(ref); }); }
    std::vector<SubmissionInfo> recent(int limit) override { return call([&](Submitter& s) { return s.recent(limit); }); }
    std::optional<Quota> quota() override { return call([](Submitter& s) { return s.quota(); }); }
};

class GuardedScraper final : public Scraper, Guard<Scraper> {
public:
    using Guard::Guard;
    ScrapeResult scrape(const ScrapeRequest& r) override { return call([&](Scraper& s) { return s.scrape(r); }); }
};

class GuardedRunHandle final : public RunHandle, Guard<RunHandle> {
public:
    using Guard::Guard;
    RunPoll poll(double max_wait_s) override { return call([&](RunHandle& h) { return h.poll(max_wait_s); }); }
    void cancel(std::string_view reason) override { call([&](RunHandle& h) { h.cancel(reason); }); }
    json::object record() const override { return call([](RunHandle& h) { return h.record(); }); }
};

class GuardedRunner final : public Runner, Guard<Runner> {
public:
    using Guard::Guard;
    std::unique_ptr<RunHandle> start(const RunSpec& spec) override {
        auto handle = call([&](Runner& r) { return r.start(spec); });
        if (!handle) throw Error(label() + "start() returned no run handle for " + spec.label);
        return wrap(std::move(handle));
    }
    std::unique_ptr<RunHandle> attach(const RunSpec& spec, const json::object& record) override {
        auto handle = call([&](Runner& r) { return r.attach(spec, record); });
        return handle ? wrap(std::move(handle)) : nullptr;
    }

private:
    // Handles are plugin objects too: they keep the library loaded and are guarded the same way.
    std::unique_ptr<RunHandle> wrap(std::unique_ptr<RunHandle> handle) const {
        return std::make_unique<GuardedRunHandle>(library(), label(), std::move(handle));
    }
};

template <class Interface> struct guard_for;
template <> struct guard_for<Agent> { using type = GuardedAgent; };
template <> struct guard_for<LlmProvider> { using type = GuardedLlm; };
template <> struct guard_for<Metric> { using type = GuardedMetric; };
template <> struct guard_for<Submitter> { using type = GuardedSubmitter; };
template <> struct guard_for<Scraper> { using type = GuardedScraper; };
template <> struct guard_for<Runner> { using type = GuardedRunner; };

}  // namespace

// --- PluginHost ----------------------------------------------------------------------------------

struct PluginHost::Impl {
    std::vector<fs::path> search_dirs;
    std::vector<PluginInfo> infos;          // parallel to `loaded` (the public view)
    std::vector<LibraryPtr> libraries;
    std::vector<PluginLoadFailure> failures;
    std::vector<RecordedFailure> recorded;  // parallel to `failures`

    void scan(const fs::path& dir, std::set<fs::path>& seen_files) {
        for (const auto& file : library_files(dir)) {
            if (!seen_files.insert(canonical_or_self(file)).second) continue;  // same file via two dirs
            try {
                LoadedPlugin plugin = load_plugin(file);
                if (const PluginInfo* earlier = find_loaded(plugin.info.kind, plugin.info.name))
                    throw LoadError("duplicate plugin " + plugin.info.kind + "/" + plugin.info.name +
                                        ": already loaded from " + earlier->path.string() +
                                        " (the first one found in the search path wins)",
                                    plugin.info.kind, plugin.info.name);
                infos.push_back(std::move(plugin.info));
                libraries.push_back(std::move(plugin.library));
            } catch (const LoadError& e) {
                failures.push_back({file, e.what()});
                recorded.push_back({failures.back(), e.kind(), e.name()});
            }
        }
    }

    const PluginInfo* find_loaded(std::string_view kind, std::string_view name) const {
        for (const auto& info : infos)
            if (info.kind == kind && info.name == name) return &info;
        return nullptr;
    }

    LibraryPtr library_of(const PluginInfo& info) const {
        return libraries.at(static_cast<std::size_t>(&info - infos.data()));
    }

    std::string describe_search_dirs() const {
        std::string out;
        for (const auto& dir : search_dirs) {
            std::error_code ec;
            out += "\n  " + dir.string() + (fs::is_directory(dir, ec) ? "" : " (does not exist)");
        }
        return out.empty() ? "\n  (no folders: set plugin_dirs or AUTOKAGGLE_PLUGIN_PATH)" : out;
    }

    std::vector<std::string> names_of_kind(std::string_view kind) const {
        std::vector<std::string> names;
        for (const auto& info : infos)
            if (info.kind == kind) names.push_back(info.name);
        return names;
    }

    /// Load failures that may explain why `name` is missing: those that read that name, and
    /// those whose file name mentions it (an ABI mismatch stops before the name is read).
    std::string related_failures(std::string_view name) const {
        std::string out;
        for (const auto& r : recorded) {
            std::string file = r.failure.path.filename().string();
            if (r.name == name || file.find(name) != std::string::npos)
                out += "\n  " + r.failure.path.string() + ": " + r.failure.reason;
        }
        return out;
    }

    template <class Interface>
    std::shared_ptr<Interface> create(const PluginInfo& info, const PluginContext& context) const {
        const std::string label = info.kind + " plugin '" + info.name + "': ";
        LibraryPtr library = library_of(info);
        if (!library->has(AUTOKAGGLE_FACTORY_SYMBOL))
            throw Error(label + "no " AUTOKAGGLE_FACTORY_SYMBOL " symbol in " + info.path.string());
        auto& factory = library->get_alias<PluginFactory<Interface>>(AUTOKAGGLE_FACTORY_SYMBOL);
        std::unique_ptr<Interface> object = guarded(label, [&] { return factory(context); });
        if (!object)
            throw Error(label + "the factory returned no object" +
                        (context.instance.empty() ? std::string() : " for '" + context.instance + "'") + " (" +
                        info.path.string() + ")");
        return std::make_shared<typename guard_for<Interface>::type>(std::move(library), label, std::move(object));
    }
};

PluginHost::PluginHost(std::vector<fs::path> search_dirs) : impl_(std::make_unique<Impl>()) {
    impl_->search_dirs = std::move(search_dirs);
    std::set<fs::path> seen_dirs, seen_files;
    for (const auto& dir : impl_->search_dirs) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        if (!seen_dirs.insert(canonical_or_self(dir)).second) continue;
        impl_->scan(dir, seen_files);
    }
}

PluginHost::~PluginHost() = default;

std::vector<fs::path> PluginHost::search_path(const std::vector<fs::path>& config_dirs) {
    std::vector<fs::path> dirs(config_dirs.begin(), config_dirs.end());
    if (const char* env = std::getenv("AUTOKAGGLE_PLUGIN_PATH"); env && *env) {
        for (const auto& entry : split(env, ':'))
            if (!entry.empty()) dirs.emplace_back(entry);
    }
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) dirs.push_back((exe.parent_path().parent_path() / AUTOKAGGLE_PLUGIN_SUBDIR).lexically_normal());
    return dirs;
}

const std::vector<fs::path>& PluginHost::search_dirs() const { return impl_->search_dirs; }
const std::vector<PluginInfo>& PluginHost::plugins() const { return impl_->infos; }
const std::vector<PluginLoadFailure>& PluginHost::failures() const { return impl_->failures; }

const PluginInfo& PluginHost::find(std::string_view kind, std::string_view name) const {
    if (const PluginInfo* info = impl_->find_loaded(kind, name)) return *info;
    const std::string wanted = std::string(kind) + " plugin '" + std::string(name) + "' not found";
    std::string message = wanted + ".";
    for (const auto& info : impl_->infos)
        if (info.name == name)  // names are per kind: say so before the list of folders
            message = "plugin '" + info.name + "' is " + std::string(article(info.kind)) + " " + info.kind +
                      " plugin, not " + std::string(article(kind)) + " " + std::string(kind) + " (" + wanted + ").";
    auto names = impl_->names_of_kind(kind);
    message += "\nFolders searched, in order:" + impl_->describe_search_dirs();
    message += "\n" + std::string(kind) + " plugins found: " + (names.empty() ? "none" : join(names, ", "));
    if (std::string related = impl_->related_failures(name); !related.empty())
        message += "\nPlugins that failed to load:" + related;
    throw ConfigError(message);
}

const PluginInfo* PluginHost::find_metric(std::string_view metric) const {
    for (const auto& info : impl_->infos) {
        if (info.kind != "metric") continue;
        for (const auto& p : info.provides)
            if (metric_pattern_matches(p, metric)) return &info;
    }
    return nullptr;
}

std::vector<std::string> PluginHost::metric_names() const {
    std::vector<std::string> names;
    for (const auto& info : impl_->infos)
        if (info.kind == "metric") names.insert(names.end(), info.provides.begin(), info.provides.end());
    return names;
}

json::object PluginHost::validate_options(const PluginInfo& plugin, const json::object& options,
                                          const std::string& key_path, std::vector<Diagnostic>& out) const {
    const std::string who = plugin.kind + " plugin '" + plugin.name + "'";
    std::vector<std::string> known;
    for (const auto& [key, spec] : plugin.options_schema) known.emplace_back(key);
    json::object result;
    for (const auto& [key, value] : options) {
        const std::string option(key);
        const std::string path = key_path + "." + option;
        const json::value* spec = plugin.options_schema.if_contains(key);
        if (!spec) {
            std::string message = "unknown option '" + option + "' for " + who;
            if (known.empty()) {
                message += ", which takes no options; remove it";
            } else {
                if (auto near = nearest(option, known)) message += "; did you mean '" + *near + "'?";
                message += " (options: " + join(known, ", ") + ")";
            }
            out.push_back({Diagnostic::Severity::error, path, message});
            continue;
        }
        const auto& s = spec->as_object();
        const std::string type(s.at("type").as_string());
        const json::value* def = s.if_contains("default");
        bool null_allowed = value.is_null() && (!def || def->is_null());
        if (!matches_type(value, type) && !null_allowed) {
            out.push_back({Diagnostic::Severity::error, path,
                           "found " + std::string(json_type_name(value)) + " " + show_json(value) +
                               ", expected " + type + " (" + who + " option" +
                               (s.contains("doc") && s.at("doc").is_string()
                                    ? ": " + std::string(s.at("doc").as_string())
                                    : std::string()) +
                               ")"});
            continue;
        }
        result[key] = value;
    }
    for (const auto& [key, spec] : plugin.options_schema) {
        if (result.contains(key) || options.contains(key)) continue;
        const auto& s = spec.as_object();
        if (const json::value* def = s.if_contains("default")) {
            result[key] = *def;
        } else if (const json::value* req = s.if_contains("required"); req && req->is_bool() && req->as_bool()) {
            out.push_back({Diagnostic::Severity::error, key_path + "." + std::string(key),
                           "missing required option of " + who + " (type " + std::string(s.at("type").as_string()) +
                               ")"});
        }
    }
    return result;
}

std::shared_ptr<Agent> PluginHost::create_agent(std::string_view name, const PluginContext& context) const {
    return impl_->create<Agent>(find("agent", name), context);
}
std::shared_ptr<LlmProvider> PluginHost::create_llm(std::string_view name, const PluginContext& context) const {
    return impl_->create<LlmProvider>(find("llm", name), context);
}
std::shared_ptr<Submitter> PluginHost::create_submitter(std::string_view name, const PluginContext& context) const {
    return impl_->create<Submitter>(find("submitter", name), context);
}
std::shared_ptr<Scraper> PluginHost::create_scraper(std::string_view name, const PluginContext& context) const {
    return impl_->create<Scraper>(find("scraper", name), context);
}
std::shared_ptr<Runner> PluginHost::create_runner(std::string_view name, const PluginContext& context) const {
    return impl_->create<Runner>(find("runner", name), context);
}

std::shared_ptr<Metric> PluginHost::create_metric(std::string_view metric, const PluginContext& context) const {
    const PluginInfo* info = find_metric(metric);
    if (!info) {
        std::vector<std::string> available;
        for (const auto& i : impl_->infos)
            if (i.kind == "metric") available.insert(available.end(), i.provides.begin(), i.provides.end());
        throw ConfigError("no metric plugin provides '" + std::string(metric) + "'; available metrics: " +
                          (available.empty() ? "none" : join(available, ", ")) +
                          "\nFolders searched, in order:" + impl_->describe_search_dirs());
    }
    return impl_->create<Metric>(*info, context);
}

}  // namespace autokaggle
