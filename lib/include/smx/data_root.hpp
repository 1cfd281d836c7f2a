// Where smx's data folders are: the one resolver every command uses. The data root is the folder
// that holds units/ and mappings/ (the tables of smx-tables(5), and the validation profiles in
// mappings/profiles/): share/smx of an installation, or the source tree itself.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace smx {

// What the resolver looks at. current_data_root_inputs() fills it from the process; tests fill
// it by hand.
struct DataRootInputs {
  std::string given;                    // the command's table-directory option ("" = not given)
  std::string environment;              // $SMX_TABLES ("" = unset or empty)
  std::filesystem::path executable;     // the running program ("" = unknown)
  std::filesystem::path install_dir;    // PREFIX/share/smx, compiled in at configure time
  std::filesystem::path build_dir;      // the build folder the program was built in (configure time)
  std::filesystem::path source_dir;     // the source tree it was configured from (configure time)
};

struct DataRoot {
  std::filesystem::path dir;        // empty when nothing was found
  std::string origin;               // "given", "SMX_TABLES", "install", "relocated install", "source tree"
  std::vector<std::string> tried;   // places looked at that did not hold the tables, in order
};

// First hit wins:
//  1. `given`, used as given (a wrong folder is then reported by whoever reads the tables);
//  2. $SMX_TABLES, used as given;
//  3. a program inside the build folder it was built in: the source tree it was configured from
//     (recorded at configure time, not searched for), and nothing else: a build must not read
//     the tables of another version that happens to be installed;
//  4. any other program: the install data directory compiled in, then share/smx beside the
//     program's bin/ folder (an installation moved to another prefix, e.g. a .deb in /usr).
// A place of 3-4 counts when it holds units/aliases.yaml. Never throws.
DataRoot resolve_data_root(const DataRootInputs& inputs);

// The process's inputs: $SMX_TABLES, the running executable (/proc/self/exe on Linux), and the
// folders compiled in.
DataRootInputs current_data_root_inputs(std::string given = {});

// The running program, or "" when the system does not say.
std::filesystem::path executable_path();

// root.dir, or config_error naming every place tried when nothing was found.
std::filesystem::path require_data_root(const DataRoot& root);

// require_data_root(resolve_data_root(current_data_root_inputs(given))).
std::filesystem::path data_root(std::string given = {});

}  // namespace smx
