#pragma once

// Internal to the HTTP server (server.cpp and the connection types it serves).

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstddef>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace clinic::http::detail {

// Names the calling thread as ps, top and debuggers show it.
void NameThisThread(const std::string& name);

// A pool of threads ("<name>-N") that run handlers, so that blocking work such as a database call
// never holds up an I/O thread. Tasks wait in one queue, run in the order queued,
// and TrySubmit refuses a task once `max_queued` wait (the server then answers 503 rather than
// queue without bound behind a slow database). Submitting is thread-safe.
//
// Start once; a started pool must be stopped before it is destroyed. Tasks still queued when it is
// destroyed are destroyed without running.
class WorkerPool {
 public:
  explicit WorkerPool(std::size_t max_queued);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts `threads` threads named `name`-0, `name`-1, …
  void Start(std::size_t threads, const std::string& name);

  // Queues `task` unless `max_queued` tasks wait already; false then, and `task` is dropped.
  template <typename Task>
  bool TrySubmit(Task task) {
    if (queued_.fetch_add(1) >= max_queued_) {
      queued_.fetch_sub(1);
      return false;
    }
    Post(std::move(task));
    return true;
  }

  // Queues `task` however many wait: for the next step of work already admitted (the next chunk
  // of a streamed body), which a busy server must finish rather than drop halfway. A connection
  // has at most one such task queued, so the connection cap bounds them; they count toward what
  // TrySubmit measures.
  template <typename Task>
  void Submit(Task task) {
    queued_.fetch_add(1);
    Post(std::move(task));
  }

  // Lets the threads end and joins them: once the queue is empty, or with `drop_queued` as soon as
  // the tasks already running return (the queued ones never run).
  void Stop(bool drop_queued);

 private:
  template <typename Task>
  void Post(Task task) {
    boost::asio::post(context_, [this, task = std::move(task)]() mutable {
      queued_.fetch_sub(1);
      task();
    });
  }

  const std::size_t max_queued_;
  std::atomic<std::size_t> queued_{0};
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

}  // namespace clinic::http::detail
