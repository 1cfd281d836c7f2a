// lib/io: the one bounded queue and the one ordered worker pool of smx. Every thread hand-over
// goes through BoundedQueue (the tree walk feeding a reader, validate's workers, gen's file
// writers, the pool below); every `-j N` runs its messages through OrderedPool, whose results
// come out in input order, so output and diagnostics do not depend on N.
#pragma once
#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace smx {

// A FIFO of at most `capacity` items between threads. push() blocks while it is full, pop() while
// it is empty. close() ends the input: pop() drains what is left, then returns nullopt. cancel()
// ends both sides at once: push() returns false, pop() nullopt, items left are dropped.
template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // False (and the item dropped) when the queue was closed or cancelled.
  bool push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || closed_ || cancelled_; });
    if (closed_ || cancelled_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  // The next item; nullopt once the queue is closed and empty, or cancelled.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_ || cancelled_; });
    if (cancelled_ || items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    items_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }
  bool cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> items_;
  bool closed_ = false;
  bool cancelled_ = false;
};

// Runs work(worker, item, result) on `workers` threads and hands every result to deliver(result)
// on the thread that submits, in the order the items were submitted. At most `capacity` items are
// in flight (submitted and not yet delivered), so memory stays bounded whatever the input; items
// and results live in `capacity` slots that are reused, so their buffers are too. `worker` (0 to
// workers-1) lets each thread keep state of its own (a normalizer, a converter).
//
// With 0 workers there are no threads: submit() runs work and deliver at once (the -j 1 path).
// An exception thrown by work() is rethrown by submit() or finish() in its turn, after the results
// before it were delivered. An exception from deliver() (a closed output) propagates; destroying
// the pool then cancels what is in flight and joins the threads without delivering anything more.
template <class In, class Out>
class OrderedPool {
 public:
  using Work = std::function<void(std::size_t worker, In& item, Out& result)>;
  using Deliver = std::function<void(Out& result)>;

  OrderedPool(std::size_t workers, std::size_t capacity, Work work, Deliver deliver)
      : slots_(workers == 0 ? 1 : std::max(capacity, workers)),
        work_(std::move(work)),
        deliver_(std::move(deliver)),
        queue_(slots_.size()) {
    for (std::size_t w = 0; w < workers; ++w) threads_.emplace_back([this, w] { run(w); });
  }
  OrderedPool(const OrderedPool&) = delete;
  OrderedPool& operator=(const OrderedPool&) = delete;
  ~OrderedPool() {
    queue_.cancel();
    for (std::thread& t : threads_) t.join();
  }

  std::size_t workers() const { return threads_.size(); }

  // Fills the next item through fill(In&) (the slot's item, as the last user left it) and hands it
  // to a worker. Delivers the results that are ready first, and waits for the oldest when
  // `capacity` items are in flight.
  template <class Fill>
  void submit(Fill&& fill) {
    if (threads_.empty()) {
      Slot& s = slots_[0];
      fill(s.in);
      work_(0, s.in, s.out);
      deliver_(s.out);
      return;
    }
    while (delivered_ < submitted_ && ready(delivered_)) deliver_next();
    if (submitted_ - delivered_ == slots_.size()) deliver_next();
    const std::size_t index = static_cast<std::size_t>(submitted_ % slots_.size());
    fill(slots_[index].in);
    ++submitted_;
    queue_.push(index);
  }

  // Delivers every result still in flight, in order; the threads then end.
  void finish() {
    while (delivered_ < submitted_) deliver_next();
    queue_.close();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

 private:
  struct Slot {
    In in{};
    Out out{};
    std::exception_ptr error;
    bool done = false;
  };

  void run(std::size_t worker) {
    while (std::optional<std::size_t> index = queue_.pop()) {
      Slot& s = slots_[*index];
      try {
        work_(worker, s.in, s.out);
      } catch (...) {
        s.error = std::current_exception();
      }
      {
        std::lock_guard lock(mutex_);
        s.done = true;
      }
      done_.notify_all();
    }
  }

  bool ready(std::uint64_t sequence) {
    std::lock_guard lock(mutex_);
    return slots_[static_cast<std::size_t>(sequence % slots_.size())].done;
  }

  void deliver_next() {
    Slot& s = slots_[static_cast<std::size_t>(delivered_ % slots_.size())];
    {
      std::unique_lock lock(mutex_);
      done_.wait(lock, [&] { return s.done; });
      s.done = false;
    }
    ++delivered_;
    if (s.error) {
      std::exception_ptr error = std::exchange(s.error, nullptr);
      std::rethrow_exception(error);
    }
    deliver_(s.out);
  }

  std::vector<Slot> slots_;
  Work work_;
  Deliver deliver_;
  BoundedQueue<std::size_t> queue_;
  std::mutex mutex_;
  std::condition_variable done_;
  std::uint64_t submitted_ = 0;
  std::uint64_t delivered_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace smx
