// BoundedQueue and OrderedPool (smx/pool.hpp): results in input order whatever the timing,
// errors in their turn, a failing output that stops the run, and memory bounded by the capacity.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "smx/error.hpp"
#include "smx/pool.hpp"

using namespace smx;

namespace {

// A delay that differs from item to item, so that workers finish out of order.
void uneven_delay(int item) { std::this_thread::sleep_for(std::chrono::microseconds((item * 7919) % 13 * 50)); }

struct Item {
  int value = -1;
};
struct Result {
  int value = -1;
  std::string text;
  std::size_t worker = 0;
};

}  // namespace

TEST_CASE("queue: items come out in the order they went in; close drains, then ends") {
  BoundedQueue<int> queue(4);
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i) REQUIRE(queue.push(i));
    queue.close();
  });
  std::vector<int> seen;
  while (auto item = queue.pop()) seen.push_back(*item);
  producer.join();
  REQUIRE(seen.size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(seen[static_cast<std::size_t>(i)] == i);
  CHECK_FALSE(queue.push(1));  // closed
}

TEST_CASE("queue: cancel wakes a producer blocked on a full queue and a consumer on an empty one") {
  BoundedQueue<int> full(1);
  REQUIRE(full.push(1));
  std::atomic<bool> returned{false};
  bool pushed = true;
  std::thread producer([&] {
    pushed = full.push(2);  // blocks: the queue holds one already
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK_FALSE(returned.load());
  full.cancel();
  producer.join();
  CHECK_FALSE(pushed);
  CHECK_FALSE(full.pop().has_value());  // cancelled: what was left is dropped

  BoundedQueue<int> empty(1);
  std::optional<int> got = 7;
  std::thread consumer([&] { got = empty.pop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  empty.cancel();
  consumer.join();
  CHECK_FALSE(got.has_value());
}

TEST_CASE("pool: results are delivered in input order for any number of workers") {
  for (std::size_t workers : {0, 1, 2, 3, 8}) {
    CAPTURE(workers);
    std::vector<int> delivered;
    std::vector<std::size_t> used(workers == 0 ? 1 : workers, 0);
    OrderedPool<Item, Result> pool(
        workers, 4,
        [&](std::size_t worker, Item& in, Result& out) {
          uneven_delay(in.value);
          out.value = in.value;
          out.text = "item " + std::to_string(in.value);
          out.worker = worker;
        },
        [&](Result& r) {
          CHECK(r.text == "item " + std::to_string(r.value));
          delivered.push_back(r.value);
          ++used[r.worker];
        });
    for (int i = 0; i < 200; ++i) pool.submit([&](Item& in) { in.value = i; });
    pool.finish();
    REQUIRE(delivered.size() == 200);
    for (int i = 0; i < 200; ++i) CHECK(delivered[static_cast<std::size_t>(i)] == i);
    CHECK(pool.workers() == 0);  // finish() joined them
  }
}

TEST_CASE("pool: no more than `capacity` items are in flight (memory stays bounded)") {
  std::atomic<int> in_flight{0};
  int most = 0;
  std::atomic<int> worked{0};
  {
    OrderedPool<Item, Result> pool(
        2, 3,
        [&](std::size_t, Item& in, Result& out) {
          uneven_delay(in.value);
          out.value = in.value;
          ++worked;
        },
        [&](Result&) { --in_flight; });
    for (int i = 0; i < 100; ++i) {
      pool.submit([&](Item& in) {
        in.value = i;
        most = std::max(most, ++in_flight);
      });
    }
    pool.finish();
  }
  CHECK(worked == 100);
  CHECK(in_flight == 0);
  CHECK(most <= 3);
}

TEST_CASE("pool: a worker's exception comes out in its turn, after the results before it") {
  for (std::size_t workers : {0, 2}) {
    CAPTURE(workers);
    std::vector<int> delivered;
    bool thrown = false;
    try {
      OrderedPool<Item, Result> pool(
          workers, 4,
          [&](std::size_t, Item& in, Result& out) {
            uneven_delay(in.value);
            if (in.value == 37) throw config_error("item 37 failed");
            out.value = in.value;
          },
          [&](Result& r) { delivered.push_back(r.value); });
      for (int i = 0; i < 100; ++i) pool.submit([&](Item& in) { in.value = i; });
      pool.finish();
    } catch (const config_error& e) {
      thrown = true;
      CHECK(std::string(e.what()) == "item 37 failed");
    }
    CHECK(thrown);
    REQUIRE(delivered.size() == 37);
    for (int i = 0; i < 37; ++i) CHECK(delivered[static_cast<std::size_t>(i)] == i);
  }
}

TEST_CASE("pool: an output that fails (EPIPE) stops the run: nothing more is delivered, threads end") {
  std::atomic<int> worked{0};
  int delivered = 0;
  bool thrown = false;
  const auto start = std::chrono::steady_clock::now();
  try {
    OrderedPool<Item, Result> pool(
        2, 8,
        [&](std::size_t, Item& in, Result& out) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          out.value = in.value;
          ++worked;
        },
        [&](Result&) {
          if (delivered == 10) throw io_error("cannot write standard output: Broken pipe");
          ++delivered;
        });
    for (int i = 0; i < 100000; ++i) pool.submit([&](Item& in) { in.value = i; });
    pool.finish();
  } catch (const io_error&) {
    thrown = true;
  }
  CHECK(thrown);
  CHECK(delivered == 10);
  // Only what was in flight when the output failed was worked on, not the 100,000.
  CHECK(worked <= 10 + 1 + 8);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("pool: slots are reused, so an item's buffers are too") {
  std::vector<const char*> buffers;
  OrderedPool<std::string, Result> pool(
      2, 2, [&](std::size_t, std::string& in, Result& out) { out.text = in; }, [&](Result&) {});
  for (int i = 0; i < 20; ++i)
    pool.submit([&](std::string& in) {
      if (in.capacity() < 64) in.reserve(64);
      in.assign("x");
      buffers.push_back(in.data());
    });
  pool.finish();
  std::sort(buffers.begin(), buffers.end());
  buffers.erase(std::unique(buffers.begin(), buffers.end()), buffers.end());
  CHECK(buffers.size() == 2);  // two slots, two buffers, reused 20 times
}
