#include "clinic/service/answer_cache.hpp"

#include <algorithm>
#include <exception>
#include <optional>

namespace clinic::service {

AnswerCache::AnswerCache(const storage::Store& store, std::chrono::milliseconds max_age,
                         std::size_t max_bytes)
    : store_(store), max_age_(max_age), max_bytes_(max_bytes) {}

Result<std::string> AnswerCache::GetOrRead(const std::string& key,
                                           const std::function<Result<std::string>()>& read) {
  // Counted before the read: a write that commits while the read runs makes its answer stale at
  // once, whichever side of the write the read saw.
  const std::uint64_t writes = store_.committed_writes();
  const auto now = std::chrono::steady_clock::now();
  std::promise<Result<std::string>> promise;
  std::uint64_t read_number = 0;
  std::optional<Answer> kept;
  bool late = false;
  {
    const std::scoped_lock lock(mutex_);
    if (writes > writes_) {
      entries_.clear();
      bytes_ = 0;
      writes_ = writes;
    }
    if (writes < writes_) {
      late = true;  // a newer write is known already: this read's answer is stale once read
    } else if (const auto found = entries_.find(key);
               found != entries_.end() && now < found->second.expires_at) {
      kept = found->second.answer;
    } else {
      read_number = ++reads_;
      // Between three quarters of max_age and all of it, by the read's number.
      const auto lifetime = max_age_ - max_age_ * static_cast<int>(read_number % 16) / 64;
      entries_.insert_or_assign(key, Entry{.read_number = read_number,
                                           .expires_at = now + lifetime,
                                           .answer = promise.get_future().share()});
    }
  }
  if (late) return read();
  // Waits while the read is under way; a copy, as the entry may go meanwhile.
  if (kept) return kept->get();
  try {
    Result<std::string> value = read();
    promise.set_value(value);
    const std::scoped_lock lock(mutex_);
    Settle(key, read_number, &value);
    return value;
  } catch (...) {
    promise.set_exception(std::current_exception());
    const std::scoped_lock lock(mutex_);
    Settle(key, read_number, nullptr);
    throw;
  }
}

void AnswerCache::Settle(const std::string& key, std::uint64_t read_number,
                         const Result<std::string>* value) {
  const auto found = entries_.find(key);
  if (found == entries_.end() || found->second.read_number != read_number) return;
  if (value == nullptr || !*value) {
    entries_.erase(found);
    return;
  }
  found->second.bytes = key.size() + (*value)->size();
  bytes_ += found->second.bytes;
  while (bytes_ > max_bytes_) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.bytes > 0 &&
          (oldest == entries_.end() || it->second.read_number < oldest->second.read_number)) {
        oldest = it;
      }
    }
    if (oldest == entries_.end()) break;
    bytes_ -= oldest->second.bytes;
    entries_.erase(oldest);
  }
}

}  // namespace clinic::service
