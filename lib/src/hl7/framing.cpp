// Framing of raw bytes into messages (HL7 v2.5 §2.6 segments; MLLP per HL7 v2.5 Appendix C;
// batch protocol FHS/BHS/BTS/FTS per §2.10.3). Works on raw bytes of any of the charsets we
// read: ISO-2022-JP, Shift_JIS, EUC-JP and UTF-8 never put CR, LF, VT or FS inside a character.
#include <cstring>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "smx/ascii.hpp"
#include "smx/hl7.hpp"

namespace smx::hl7 {
namespace {

constexpr char kVT = 0x0b;  // MLLP start block
constexpr char kFS = 0x1c;  // MLLP end block; SS-MIX2 files end with it
constexpr std::size_t kLookahead = 7;  // bytes line_kind() needs to decide: ESC ( J, MSH, one more

using ascii::is_alnum;

enum class LineKind { other, msh, batch };

// What a line starting at p begins. One ISO-2022-JP designation of ASCII or JIS-Roman may come
// first (an encoder that starts in, or returns to, JIS-Roman: "ESC ( J MSH|^~\&|" is what
// decoders turn into "MSH|^~¥&|"). The caller provides 7 bytes, or all there are.
LineKind line_kind(const char* p, const char* end) {
  p += designation_prefix(std::string_view(p, static_cast<std::size_t>(end - p)));
  if (end - p < 3) return LineKind::other;
  bool delimiter_follows = end - p == 3 || !is_alnum(p[3]);
  if (!delimiter_follows) return LineKind::other;
  if (p[0] == 'M' && p[1] == 'S' && p[2] == 'H') return LineKind::msh;
  if ((p[0] == 'F' || p[0] == 'B') && p[1] == 'H' && p[2] == 'S') return LineKind::batch;
  if ((p[0] == 'F' || p[0] == 'B') && p[1] == 'T' && p[2] == 'S') return LineKind::batch;
  return LineKind::other;
}

bool is_blank(char c) { return c == '\r' || c == '\n' || c == kVT || c == kFS || c == ' ' || c == '\t'; }

bool is_segment_id_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

}  // namespace

bool begins_segment(std::string_view rest, char field_separator, bool complete) {
  // ISO-2022-JP writers may put ESC ( B (or ESC ( J) at the start of a line instead of before
  // its line break; the segment ID follows it.
  while (designation_prefix(rest) != 0) rest.remove_prefix(3);
  if (rest.size() < 4 && !complete) return false;
  if (rest.size() < 3 || !is_segment_id_char(rest[0]) || !is_segment_id_char(rest[1]) || !is_segment_id_char(rest[2]))
    return false;
  return rest.size() == 3 || rest[3] == field_separator || rest[3] == '\r' || rest[3] == '\n';
}

#if defined(__x86_64__) && defined(__GNUC__)
// 32 bytes a step where the CPU has AVX2 (chosen once at run time); SSE2 otherwise.
__attribute__((target("avx2"))) static const char* find_line_break_avx2(const char* p, const char* end) {
  const __m256i cr = _mm256_set1_epi8('\r');
  const __m256i lf = _mm256_set1_epi8('\n');
  const __m256i vt = _mm256_set1_epi8(kVT);
  const __m256i fs = _mm256_set1_epi8(kFS);
  while (end - p >= 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    __m256i hit = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, cr), _mm256_cmpeq_epi8(v, lf)),
                                  _mm256_or_si256(_mm256_cmpeq_epi8(v, vt), _mm256_cmpeq_epi8(v, fs)));
    unsigned mask = static_cast<unsigned>(_mm256_movemask_epi8(hit));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 32;
  }
  for (; p < end; ++p)
    if (*p == '\r' || *p == '\n' || *p == kVT || *p == kFS) return p;
  return end;
}
#endif

static const char* find_line_break_sse2(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i vt = _mm_set1_epi8(kVT);
  const __m128i fs = _mm_set1_epi8(kFS);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)),
                               _mm_or_si128(_mm_cmpeq_epi8(v, vt), _mm_cmpeq_epi8(v, fs)));
    int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  for (; p < end; ++p)
    if (*p == '\r' || *p == '\n' || *p == kVT || *p == kFS) return p;
  return end;
}

const char* find_line_break(const char* p, const char* end) {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return find_line_break_avx2(p, end);
#endif
  return find_line_break_sse2(p, end);
}

Framer::Framer(ByteSource& source, FramerOptions options) : source_(&source), options_(options) {
  if (options_.max_message_bytes < 16) options_.max_message_bytes = 16;
  if (options_.max_message_bytes > (std::size_t{1} << 31)) options_.max_message_bytes = std::size_t{1} << 31;
}

Framer::Framer(std::string_view whole_input, FramerOptions options)
    : source_(nullptr), options_(options), view_(whole_input), view_mode_(true), eof_(true) {
  if (options_.max_message_bytes < 16) options_.max_message_bytes = 16;
}

Framer::~Framer() = default;

// Appends the next chunk. Room is made by moving the unconsumed bytes to the front (few: the
// start of one message) or by growing; `last_shift_` tells the caller how far offsets moved.
// The buffer is never zero-filled: read() writes it.
bool Framer::fill() {
  last_shift_ = 0;
  if (eof_ || view_mode_) return false;
  if (capacity_ - size_ < options_.chunk_bytes) {
    if (begin_ > 0) {
      std::memmove(store_.get(), store_.get() + begin_, size_ - begin_);
      last_shift_ = begin_;
      consumed_ += begin_;
      size_ -= begin_;
      begin_ = 0;
    }
    if (capacity_ - size_ < options_.chunk_bytes) {
      std::size_t grown = std::max(capacity_ * 2, size_ + options_.chunk_bytes);
      std::unique_ptr<char[]> bigger(new char[grown]);
      if (size_) std::memcpy(bigger.get(), store_.get(), size_);
      store_ = std::move(bigger);
      capacity_ = grown;
    }
  }
  std::size_t n = source_->read(store_.get() + size_, options_.chunk_bytes);
  size_ += n;
  if (n == 0) eof_ = true;
  return n > 0;
}

// Over 100 lines on purpose: one scan whose positions (start, qi, r) move whenever fill() shifts
// the buffer; cut into steps, each step would take and hand back all of them.
std::optional<Frame> Framer::next() {
  if (!started_) {
    started_ = true;
    while (size() < 3 && fill()) {
    }
    if (size() >= 3 && std::memcmp(data(), "\xEF\xBB\xBF", 3) == 0) {
      saw_bom_ = true;
      begin_ = 3;
    }
  }
  // Skip terminators, MLLP bytes and white space between messages.
  for (;;) {
    while (begin_ < size() && is_blank(data()[begin_])) {
      if (data()[begin_] == kVT) in_mllp_ = true;
      if (data()[begin_] == kFS) in_mllp_ = false;
      ++begin_;
    }
    if (begin_ < size()) break;
    if (!fill()) return std::nullopt;
  }
  // Need a few bytes to classify the line (an ISO-2022-JP designation, MSH, one more).
  while (size() - begin_ < kLookahead && fill()) {
  }
  std::size_t start = begin_;
  const char* base = data();
  LineKind kind = line_kind(base + start, base + size());
  Frame frame;
  frame.mllp = in_mllp_;
  if (in_oversize_) {
    frame.kind = Frame::Kind::oversize;
  } else if (kind == LineKind::msh) {
    frame.kind = Frame::Kind::message;
  } else if (kind == LineKind::batch) {
    frame.kind = Frame::Kind::batch_segment;
  } else {
    frame.kind = Frame::Kind::junk;
  }

  // Find the end: the start of the next line that begins a message or batch segment, an MLLP
  // byte, or the end of input. Batch segments are one line.
  std::size_t pos = start;
  std::size_t end_of_frame = 0;
  bool found = false;
  while (!found) {
    base = data();
    const char* q = find_line_break(base + pos, base + size());
    std::size_t qi = static_cast<std::size_t>(q - base);
    if (qi - start > options_.max_message_bytes) {
      // Too large: hand out a piece now; the rest follows as further frames (memory stays
      // bounded by max_message_bytes plus one chunk).
      end_of_frame = start + options_.max_message_bytes;
      if (frame.kind != Frame::Kind::junk) {
        in_oversize_ = true;
        frame.kind = Frame::Kind::oversize;
      }
      frame.bytes = std::string_view(data() + start, end_of_frame - start);
      frame.offset = consumed_ + start;
      begin_ = end_of_frame;
      return frame;
    }
    if (qi == size()) {
      bool more = false;
      if (!eof_) {
        more = fill();
        start -= last_shift_;
        qi -= last_shift_;
      }
      if (!more) {
        end_of_frame = size();
        found = true;
        break;
      }
      pos = qi;
      continue;
    }
    // Junk runs on through VT/FS so that its raw bytes are rejected whole.
    if ((data()[qi] == kVT || data()[qi] == kFS) && frame.kind != Frame::Kind::junk) {
      end_of_frame = qi;
      found = true;
      break;
    }
    // Skip the run of CR/LF, then look at the next line.
    std::size_t r = qi;
    while (r < size() && (data()[r] == '\r' || data()[r] == '\n' ||
                          (frame.kind == Frame::Kind::junk && (data()[r] == kVT || data()[r] == kFS))))
      ++r;
    if (r - start > options_.max_message_bytes) {
      // A long run of line breaks: the frame ends at the limit inside the run; the rest is
      // skipped as blank before the next frame, so memory stays bounded.
      end_of_frame = start + options_.max_message_bytes;
      found = true;
      break;
    }
    if (size() - r < kLookahead && !eof_) {
      bool more = fill();
      start -= last_shift_;
      qi -= last_shift_;
      if (more) {
        pos = qi;
        continue;
      }
      r -= last_shift_;
    }
    if (frame.kind == Frame::Kind::batch_segment) {
      end_of_frame = qi;
      found = true;
      break;
    }
    base = data();
    if (r == size() || line_kind(base + r, base + size()) != LineKind::other) {
      end_of_frame = r;
      found = true;
      break;
    }
    if (frame.kind == Frame::Kind::message && frame.odd_line == 0 &&
        !begins_segment(std::string_view(base + r, size() - r),
                        base[start + designation_prefix(std::string_view(base + start, size() - start)) + 3], eof_))
      frame.odd_line = r - start;
    pos = r;
  }
  frame.bytes = std::string_view(data() + start, end_of_frame - start);
  frame.offset = consumed_ + start;
  begin_ = end_of_frame;
  in_oversize_ = false;
  return frame;
}

}  // namespace smx::hl7
