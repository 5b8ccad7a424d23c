// Must not compile: a handler calls services and never names an adapter. The first include is one
// a handler may use, so the probe fails only for the second.
#include "clinic/service/appointment_service.hpp"
#include "clinic/storage/mysql/mysql_connection.hpp"
