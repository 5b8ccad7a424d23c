// Must not compile: a service knows the storage ports, never an adapter.
// It must see its own layer, so that it fails for the one include below and nothing else.
#if !__has_include("clinic/storage/store.hpp")
#error "the probe does not see the headers its layer may use"
#endif

#include "clinic/storage/sqlite/sqlite_connection.hpp"
