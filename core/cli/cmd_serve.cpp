// autokaggle serve [DIR ...] [--port N] [--bind ADDR] [--token T]: the campaign dashboard in the
// browser (docs/dashboard.md). Read-only; loopback unless told otherwise, and then only with a
// token.
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "serve/server.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <filesystem>
#include <iostream>

namespace autokaggle::cli {
namespace fs = std::filesystem;

int cmd_serve(CommandArgs argv) {
    const Args args(argv, {"--port", "--bind", "--token"}, {});
    if (args.help()) {
        print_usage(command_named("serve"));
        std::cout << "\nServes a live page per campaign workspace (DIR, default the current folder; several\n"
                     "DIRs get a list page): header, CV/LB chart, rounds with their plans, reviews, findings,\n"
                     "scripts and logs, the experiment registry with its correlation heat map, the blend,\n"
                     "and the running experiment's folds and the campaign log as they happen. Read-only:\n"
                     "safe beside `autokaggle run`, and it keeps serving across the campaign's restarts.\n\n"
                     "  --port N     port to listen on (default 8765; 0 = any free port, printed)\n"
                     "  --bind ADDR  address to listen on (default 127.0.0.1); any address other than\n"
                     "               loopback requires --token\n"
                     "  --token T    every request must carry T: open http://HOST:PORT/?token=T once (it\n"
                     "               is kept in a cookie), or send 'Authorization: Bearer T'\n\n"
                     "Stops on Ctrl-C.\n";
        return exit_ok;
    }
    serve::ServerOptions options;
    if (auto port = args.integer("--port")) {
        if (*port < 0 || *port > 65535) throw UsageError("--port: expected 0 to 65535, got " + std::to_string(*port));
        options.port = static_cast<unsigned short>(*port);
    }
    options.address = args.value_or("--bind", "127.0.0.1");
    const std::string token = args.value_or("--token", "");
    if (args.value("--token") && token.size() < 8)
        throw UsageError("--token: use at least 8 characters (e.g. from `openssl rand -hex 16`)");
    if (const auto refusal = serve::bind_refusal(options.address, token); !refusal.empty()) throw UsageError(refusal);

    std::vector<fs::path> roots;
    for (const auto& dir : args.positionals()) roots.emplace_back(dir);
    if (roots.empty()) roots.emplace_back(".");
    for (auto& root : roots) {
        root = fs::absolute(root).lexically_normal();
        if (!fs::is_regular_file(root / "config.json"))
            throw ConfigError((root / "config.json").string() + " not found: " + root.string() +
                              " is not a campaign workspace (create one with `autokaggle init DIR`)");
    }
    const auto ids = serve::campaign_ids(roots);
    std::vector<std::shared_ptr<serve::CampaignWatch>> campaigns;
    for (std::size_t i = 0; i < roots.size(); ++i) campaigns.push_back(std::make_shared<serve::CampaignWatch>(ids[i], roots[i]));

    serve::AccessRule access;
    access.token = token;
    access.loopback_hosts_only = serve::is_loopback_address(options.address);
    auto router = std::make_shared<const serve::Router>(campaigns, access);
    serve::Server server(router, options);
    std::cout << "autokaggle serve: " << campaigns.size() << " campaign(s) at " << server.url()
              << (token.empty() ? "" : "?token=...") << "  (read-only; Ctrl-C stops)\n";
    for (const auto& c : campaigns) std::cout << "  " << server.url() << "c/" << c->id() << "/  " << c->root().string() << "\n";
    std::cout << std::flush;
    server.run_until_signal();
    std::cout << "autokaggle serve: stopped\n";
    return exit_ok;
}

}  // namespace autokaggle::cli
