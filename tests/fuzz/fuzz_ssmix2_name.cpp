// libFuzzer entry point: SS-MIX2 file names and paths. parse_file_name never refuses with more
// than 7 fields and never crashes; a name it reads without problems formats back to itself, and
// any parsed name re-parses to the same fields. describe() (path below a root) never crashes.
// Input: a file name, or "root\0relative/path" for describe().
#include <smx/ssmix2.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool same(const smx::ssmix2::FileName& a, const smx::ssmix2::FileName& b) {
  return a.patient == b.patient && a.date == b.date && a.type == b.type && a.order == b.order &&
         a.timestamp == b.timestamp && a.dept == b.dept && a.flag == b.flag;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const std::size_t nul = input.find('\0'); nul != std::string_view::npos) {
    const std::string root(input.substr(0, nul));
    const std::string relative(input.substr(nul + 1));
    const smx::ssmix2::Entry entry = smx::ssmix2::describe(root, relative);
    for (const auto& problem : entry.problems) check(!problem.code.empty());
    (void)smx::ssmix2::passes(entry, smx::ssmix2::WalkOptions{});
    return 0;
  }

  std::vector<smx::ssmix2::NameProblem> problems;
  const auto name = smx::ssmix2::parse_file_name(input, problems);
  for (const auto& problem : problems) check(!problem.code.empty());
  (void)smx::ssmix2::find_data_type(input);
  if (!name) return 0;
  const std::string formatted = smx::ssmix2::format_file_name(*name);
  if (problems.empty()) check(formatted == input);
  // A name with a readable flag formats to something that parses to the same fields.
  if (name->flag >= 0) {
    std::vector<smx::ssmix2::NameProblem> again_problems;
    const auto again = smx::ssmix2::parse_file_name(formatted, again_problems);
    check(again.has_value());
    check(same(*name, *again));
  }
  return 0;
}
