// Must not compile: the domain does not know the services (docs/architecture.md). The first
// include is one the domain may use, so the probe fails only for the second.
#include "clinic/domain/entities.hpp"
#include "clinic/service/appointment_service.hpp"
