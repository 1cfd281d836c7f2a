// smx: one binary, one subcommand per file in tools/ (listed in SMX_COMMANDS).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "common/command.hpp"

namespace smx::tools {
#define SMX_COMMAND(name) void setup_##name(CLI::App& app);
#include "smx_commands.inc"
#undef SMX_COMMAND
}  // namespace smx::tools

int main(int argc, char** argv) {
  CLI::App app{"smx: read, check and normalize SS-MIX2 storage and HL7 v2 messages", "smx"};
  app.set_version_flag("--version", std::string("smx ") + SMX_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
#define SMX_COMMAND(name) smx::tools::setup_##name(app);
#include "smx_commands.inc"
#undef SMX_COMMAND
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11's own error codes are mapped to 2: the job could not start.
    std::string command = "smx";
    for (auto* sub : app.get_subcommands()) command = "smx " + sub->get_name();
    std::fprintf(stderr, "%s: error: %s\n", command.c_str(), e.what());
    std::fprintf(stderr, "Run '%s --help' for the options.\n", command.c_str());
    return 2;
  }
  std::fflush(stdout);
  if (std::ferror(stdout)) return 2;
  return smx::tools::exit_status();
}
