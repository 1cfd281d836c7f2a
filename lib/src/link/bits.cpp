// Bit vectors in clkhash's layout, Dice similarity and XOR folding.
#include <smx/error.hpp>
#include <smx/link.hpp>

#include <bit>
#include <cstring>

namespace smx::link {

namespace {

std::size_t popcount_bytes(const std::uint8_t* p, std::size_t n) {
  std::size_t count = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, p + i, 8);
    count += static_cast<std::size_t>(std::popcount(word));
  }
  for (; i < n; ++i) count += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(p[i])));
  return count;
}

}  // namespace

BitVector BitVector::from_bytes(Bytes bytes, std::size_t bits) {
  if (bytes.size() != (bits + 7) / 8) throw config_error("bit vector of " + std::to_string(bits) +
                                                         " bits needs " + std::to_string((bits + 7) / 8) + " bytes");
  BitVector v;
  v.bits_ = bits;
  v.bytes_ = std::move(bytes);
  if (bits % 8 != 0) v.bytes_.back() &= static_cast<std::uint8_t>(0xFF00u >> (bits % 8));  // unused bits stay 0
  return v;
}

std::size_t BitVector::count() const { return popcount_bytes(bytes_.data(), bytes_.size()); }

BitVector& BitVector::operator|=(const BitVector& other) {
  if (other.bits_ != bits_) throw std::invalid_argument("BitVector |= of different lengths");
  for (std::size_t i = 0; i < bytes_.size(); ++i) bytes_[i] |= other.bytes_[i];
  return *this;
}

double dice(const BitVector& a, const BitVector& b) {
  if (a.size() != b.size()) throw std::invalid_argument("dice of filters of different lengths");
  const std::size_t n = a.bytes().size();
  std::size_t both = 0, ones = 0;
  const std::uint8_t* pa = a.bytes().data();
  const std::uint8_t* pb = b.bytes().data();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x = 0, y = 0;
    std::memcpy(&x, pa + i, 8);
    std::memcpy(&y, pb + i, 8);
    both += static_cast<std::size_t>(std::popcount(x & y));
    ones += static_cast<std::size_t>(std::popcount(x) + std::popcount(y));
  }
  for (; i < n; ++i) {
    both += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(pa[i] & pb[i])));
    ones += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(pa[i])) +
                                     std::popcount(static_cast<unsigned>(pb[i])));
  }
  return ones == 0 ? 0.0 : 2.0 * static_cast<double>(both) / static_cast<double>(ones);
}

BitVector fold_xor(const BitVector& filter, int folds) {
  if (folds < 0) throw config_error("xorFolds must not be negative");
  if (folds > 30 || filter.size() % (std::size_t{1} << folds) != 0)
    throw config_error("a filter of " + std::to_string(filter.size()) + " bits cannot be XOR-folded " +
                       std::to_string(folds) + " times");
  BitVector current = filter;
  for (int f = 0; f < folds; ++f) {
    const std::size_t half = current.size() / 2;
    BitVector next(half);
    for (std::size_t i = 0; i < half; ++i)
      if (current.test(i) != current.test(i + half)) next.set(i);
    current = std::move(next);
  }
  return current;
}

}  // namespace smx::link
