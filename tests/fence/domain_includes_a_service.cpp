// Must not compile: the domain does not know the services (docs/architecture.md).
// It must see its own layer, so that it fails for the one include below and nothing else.
#if !__has_include("clinic/domain/entities.hpp")
#error "the probe does not see the headers its layer may use"
#endif

#include "clinic/service/appointment_service.hpp"
