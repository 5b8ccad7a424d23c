// Must not compile: the generic HTTP layer knows no service; only http/handlers do. The first
// include is one it may use, so the probe fails only for the second.
#include "clinic/http/router.hpp"
#include "clinic/service/auth_service.hpp"
