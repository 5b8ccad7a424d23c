// Must not compile: the generic HTTP layer knows no service; only http/handlers do.
// It must see its own layer, so that it fails for the one include below and nothing else.
#if !__has_include("clinic/http/router.hpp")
#error "the probe does not see the headers its layer may use"
#endif

#include "clinic/service/auth_service.hpp"
