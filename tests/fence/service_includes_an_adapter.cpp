// Must not compile: a service knows the storage ports, never an adapter. The first include is one
// a service may use, so the probe fails only for the second.
#include "clinic/storage/store.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"
