#pragma once

#include <cstddef>
#include <memory>

#include "clinic/storage/sql/connection.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::storage::sql {

// The Store over a SQL database: one set of repositories written once in portable SQL (a few
// statements switch on the dialect), over a pool of `pool_size` connections from `factory`.
std::unique_ptr<Store> MakeSqlStore(std::unique_ptr<ConnectionFactory> factory,
                                    std::size_t pool_size);

}  // namespace clinic::storage::sql
