#pragma once

namespace clinic::app {

// clinicd: parses flags (each also an environment variable), opens and migrates the stores,
// builds the HTTP routes and serves until SIGTERM/SIGINT. Prints `listening on http://HOST:PORT`
// once it accepts connections. Exit codes: 0 after a clean shutdown, 1 when it cannot start
// (database unreachable, port taken), 2 for a bad flag or value (one line on stderr).
int ClinicdMain(int argc, char** argv);

}  // namespace clinic::app
