// Must not compile: a handler calls services and never names an adapter.
// It must see its own layer, so that it fails for the one include below and nothing else.
#if !__has_include("clinic/service/appointment_service.hpp")
#error "the probe does not see the headers its layer may use"
#endif

#include "clinic/storage/mysql/mysql_connection.hpp"
