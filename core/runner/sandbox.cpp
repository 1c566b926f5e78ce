#include <autokaggle/support/sandbox.hpp>

#include "base/process.hpp"
#include "base/text.hpp"

#include <algorithm>

namespace autokaggle {

namespace fs = std::filesystem;

namespace {

/// What the loader, Python and its libraries read under /etc (Debian's BLAS comes through
/// /etc/alternatives); nothing else of /etc is there.
constexpr const char* kEtcFiles[] = {"alternatives", "ld.so.cache",  "ld.so.conf",   "ld.so.conf.d", "localtime",
                                     "timezone",     "passwd",       "group",        "nsswitch.conf", "mime.types",
                                     "ssl",          "ca-certificates", "python3",   "matplotlibrc", "fonts"};
constexpr const char* kNetworkEtcFiles[] = {"resolv.conf", "hosts", "host.conf", "gai.conf"};

std::size_t depth(const fs::path& p) { return static_cast<std::size_t>(std::distance(p.begin(), p.end())); }

bool under(const fs::path& path, const fs::path& folder) {
    auto rel = path.lexically_relative(folder);
    return !rel.empty() && *rel.begin() != "..";
}

void add(std::vector<std::string>& argv, std::initializer_list<std::string> items) {
    argv.insert(argv.end(), items.begin(), items.end());
}

/// The fixed part: namespaces, the system read-only, fresh /proc, /dev and /tmp.
std::vector<std::string> system_part(const fs::path& bwrap, bool network) {
    std::vector<std::string> argv{bwrap.string(), "--unshare-all", "--unshare-user"};
    if (network) argv.emplace_back("--share-net");
    add(argv, {"--disable-userns", "--cap-drop", "ALL", "--die-with-parent", "--new-session"});
    add(argv, {"--ro-bind", "/usr", "/usr"});
    for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
        std::error_code ec;
        if (fs::is_symlink(top, ec)) add(argv, {"--symlink", fs::read_symlink(top, ec).string(), top});
        else if (fs::is_directory(top, ec)) add(argv, {"--ro-bind", top, top});
    }
    for (const char* name : kEtcFiles) add(argv, {"--ro-bind-try", std::string("/etc/") + name, std::string("/etc/") + name});
    if (network)
        for (const char* name : kNetworkEtcFiles)
            add(argv, {"--ro-bind-try", std::string("/etc/") + name, std::string("/etc/") + name});
    add(argv, {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"});
    return argv;
}

}  // namespace

std::vector<std::string> sandbox_argv(const SandboxSpec& spec) {
    std::vector<std::string> argv = system_part(spec.bwrap, spec.network);
    std::vector<SandboxMount> mounts = spec.mounts;
    std::stable_sort(mounts.begin(), mounts.end(),
                     [](const SandboxMount& a, const SandboxMount& b) { return depth(a.path) < depth(b.path); });
    // A hidden path only needs covering when something bound shows it.
    auto shown = [&](const fs::path& path) {
        return std::any_of(mounts.begin(), mounts.end(), [&](const SandboxMount& m) {
            return m.access != SandboxMount::Access::hidden && (m.path == path || under(path, m.path));
        });
    };
    for (const auto& m : mounts) {
        std::error_code ec;
        const std::string p = m.path.string();
        if (!fs::exists(m.path, ec)) continue;
        if (m.access == SandboxMount::Access::hidden && !shown(m.path)) continue;
        switch (m.access) {
            case SandboxMount::Access::read_only: add(argv, {"--ro-bind", p, p}); break;
            case SandboxMount::Access::read_write: add(argv, {"--bind", p, p}); break;
            case SandboxMount::Access::hidden:
                if (fs::is_directory(m.path, ec)) add(argv, {"--tmpfs", p, "--remount-ro", p});
                else add(argv, {"--ro-bind", "/dev/null", p});
                break;
        }
    }
    add(argv, {"--chdir", spec.cwd.empty() ? std::string("/") : spec.cwd.string(), "--"});
    return argv;
}

std::vector<fs::path> interpreter_installation(const fs::path& python) {
    std::vector<fs::path> found;
    auto consider = [&](const fs::path& interpreter) {
        if (!interpreter.is_absolute()) return;
        fs::path prefix = interpreter.lexically_normal().parent_path().parent_path();
        if (prefix.empty() || prefix == "/" || prefix == "/usr" || under(prefix, "/usr")) return;
        if (std::find(found.begin(), found.end(), prefix) == found.end()) found.push_back(prefix);
    };
    consider(python);
    std::error_code ec;
    fs::path real = fs::canonical(python, ec);
    if (!ec) consider(real);
    return found;
}

SandboxCheck check_sandbox() {
    SandboxCheck check;
    auto bwrap = process::find_executable("bwrap");
    if (!bwrap) {
        check.why_not = "bwrap is not installed (Debian: apt-get install bubblewrap)";
        return check;
    }
    check.program = *bwrap;
    process::ProcessSpec probe;
    probe.argv = sandbox_argv(SandboxSpec{*bwrap, {}, {}, false});
    probe.argv.emplace_back("/bin/true");
    probe.out = process::Output::capture();
    probe.err = process::Output::to_stdout();
    probe.timeout = std::chrono::seconds(20);
    try {
        auto done = process::run(std::move(probe));
        if (done.status.exit_code == 0) {
            check.usable = true;
            return check;
        }
        std::string said = trim(done.out);
        if (said.size() > 300) said = said.substr(0, 300) + "...";
        check.why_not = "bwrap cannot set up its sandbox here (" + done.status.describe() + ")" +
                        (said.empty() ? "" : ": " + said) +
                        (contains(said, "namespace") ? " - user namespaces are unavailable or restricted" : "");
    } catch (const std::exception& e) {
        check.why_not = std::string("bwrap cannot be started: ") + e.what();
    }
    return check;
}

}  // namespace autokaggle
