#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <unordered_map>

#include "clinic/common/result.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// Recent answers, as bytes, of a read that many callers repeat (the free-slot search: every
// patient looking for a time asks for the same few days).
//
// An answer is given again only while no write transaction has committed through `store` since
// it was read, and for at most `max_age` (each answer a random part of that less, so
// answers read together do not all expire together). The age bounds what other server processes
// sharing the database changed (their writes are not counted here) and how long an answer may
// list something that time has since overtaken, such as a slot that started meanwhile; whatever
// an answer lists is checked again when acted on. Callers asking for a key whose read is under
// way wait for that read instead of repeating it. The answers take at most `max_bytes`, the
// oldest going first. Thread-safe.
class AnswerCache {
 public:
  AnswerCache(const storage::Store& store, std::chrono::milliseconds max_age,
              std::size_t max_bytes = std::size_t{8} << 20);

  // The answer kept under `key` while it is valid, else `read()`'s, kept when it succeeds.
  Result<std::string> GetOrRead(const std::string& key,
                                const std::function<Result<std::string>()>& read);

 private:
  using Answer = std::shared_future<Result<std::string>>;
  struct Entry {
    std::uint64_t read_number = 0;  // the order of reads; tells a read's entry from a later one
    std::chrono::steady_clock::time_point expires_at;
    Answer answer;
    std::size_t bytes = 0;  // 0 while the read is under way
  };

  // Keeps `value` as the answer of read `read_number` under `key`, or drops its entry when the
  // read failed or a write has made it stale meanwhile. Holds mutex_.
  void Settle(const std::string& key, std::uint64_t read_number, const Result<std::string>* value);

  const storage::Store& store_;
  std::chrono::milliseconds max_age_;
  std::size_t max_bytes_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t writes_ = 0;  // the store's committed writes that every entry was read after
  std::uint64_t reads_ = 0;   // reads started, numbering them
  std::size_t bytes_ = 0;
};

}  // namespace clinic::service
