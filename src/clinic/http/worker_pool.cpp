#include "clinic/http/worker_pool.hpp"

#include <fmt/format.h>
#include <pthread.h>

namespace clinic::http::detail {

void NameThisThread(const std::string& name) {
  // Linux limits thread names to 15 characters.
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

WorkerPool::WorkerPool(std::size_t max_queued)
    : max_queued_(max_queued), guard_(boost::asio::make_work_guard(context_)) {}

void WorkerPool::Start(std::size_t threads, const std::string& name) {
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i, name] {
      NameThisThread(fmt::format("{}-{}", name, i));
      context_.run();
    });
  }
}

void WorkerPool::Stop(bool drop_queued) {
  guard_.reset();
  if (drop_queued) context_.stop();
  for (auto& thread : threads_) thread.join();
}

}  // namespace clinic::http::detail
