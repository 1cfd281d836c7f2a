// Internal to lib/ssmix2: the file-name parser with its storage mode.
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "smx/ssmix2.hpp"

namespace smx::ssmix2::detail {

// Standardized storage names carry a 15-digit order number and a §4 data type; extended-storage
// content folders carry a specific key (≤22 characters, dots allowed) and a document data-type
// code that is not in the §4 table (reference §7).
enum class NameKind { standardized, extended_content };

std::optional<FileName> parse_name(std::string_view name, NameKind kind,
                                   std::vector<NameProblem>& problems);

bool is_valid_date(std::string_view yyyymmdd);
void add_problem(std::vector<NameProblem>& problems, std::string_view code, std::string text);

}  // namespace smx::ssmix2::detail
