// lib/io: JSON text (RFC 8259) as every smx producer writes it: members in the order written, no
// whitespace, strings escaped one way. One writer for the smx stream, diagnostics, stats, flat
// rows, FHIR resources and gen's truth, so that separators and escapes are decided in one place.
#pragma once
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace smx::json {

// Appends `utf8` as a JSON string: '"', '\' and the C0 controls are escaped (\b \f \n \r \t,
// else \u00XX, RFC 8259 §7); every other byte is copied, the text being UTF-8 already.
void append_string(std::string& out, std::string_view utf8);
// Appends an integer in decimal.
void append_integer(std::string& out, std::int64_t value);
void append_unsigned(std::string& out, std::uint64_t value);
// True when `text` is a JSON number (RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)
// of at most 64 characters. FHIR decimal has the same grammar.
bool is_number(std::string_view text);

// Appends to a string. A member is a key and a value; an element is a value in an array.
class Writer {
 public:
  // What an empty value does. keep: "" {} [] are written as given. omit (FHIR forbids empty
  // strings, objects and arrays): an empty string value is left out, and an object or array
  // that ends with no members is removed together with its key, so mapping code can open a
  // container and fill it conditionally.
  enum class Empty { keep, omit };
  static constexpr std::size_t kMaxDepth = 32;  // deeper nesting is a programming error (throws)

  explicit Writer(std::string& out, Empty empty = Empty::keep) : out_(out), empty_(empty) {}

  void begin_object();                      // as a value (top level or array element)
  void begin_object(std::string_view key);  // as a member
  bool end_object();                        // false when it was empty and got removed (omit)
  void begin_array();
  void begin_array(std::string_view key);
  bool end_array();

  void string(std::string_view key, std::string_view value);
  void string_element(std::string_view value);
  // "key":null for an empty value, else the string (gen's truth rows).
  void string_or_null(std::string_view key, std::string_view value);
  // A JSON number given as text; the caller guarantees the grammar (is_number).
  void number(std::string_view key, std::string_view json_number);
  void number_element(std::string_view json_number);
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  void number(std::string_view key, T value) {
    member(key);
    if constexpr (std::is_signed_v<T>) append_integer(out_, value);
    else append_unsigned(out_, value);
  }
  void boolean(std::string_view key, bool value);
  void null(std::string_view key);
  // A run of members listed as data, written in the order given: a record's counters or its
  // text fields, so that each producer names its members once instead of a call per member.
  struct Count {
    std::string_view key;
    std::uint64_t value;
  };
  struct Text {
    std::string_view key;
    std::string_view value;
  };
  void numbers(std::initializer_list<Count> members);
  void strings(std::initializer_list<Text> members);
  // A key whose value the caller appends to out() itself (one complete JSON value).
  void key(std::string_view key) { member(key); }
  std::string& out() { return out_; }

 private:
  struct Level {
    std::size_t rollback;   // where the container (with its key) started, for omit
    bool empty;             // nothing written in it yet
    bool parent_was_empty;  // the parent's `empty` before this container opened
  };
  void open(std::string_view key, bool has_key, char bracket);
  bool close(char bracket);
  void separator();  // ',' before every member or element but the first of its container
  void member(std::string_view key) {
    separator();
    append_string(out_, key);
    out_.push_back(':');
  }
  std::string& out_;
  Empty empty_;
  std::size_t depth_ = 0;
  std::array<Level, kMaxDepth> stack_;
};

}  // namespace smx::json
